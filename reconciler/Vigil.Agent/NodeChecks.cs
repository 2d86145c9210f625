using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;

namespace Vigil.Agent;

/// <summary>What the running revision asks the check scheduler to run.</summary>
internal static class NodeChecks
{
    /// <summary>
    /// The health checks the node's virtual servers ask for and the vrrp_scripts its instances track, scheduled; a
    /// check kind not run yet is said once and counts as up.
    /// </summary>
    public static void Sync(CheckScheduler? scheduler, NodeDesiredState state, HealthBoard health, VrrpScriptStates scripts, ILogger log)
    {
        var checks = new List<IScheduledCheck>();
        foreach (var server in state.VirtualServers)
        {
            foreach (var (real, index) in server.Spec.RealServers.SelectMany(r => r.Checks.Select((_, i) => (r, i))))
            {
                try
                {
                    checks.Add(new RealServerCheck(server.Name, server.Spec, real, health, index: index));
                }
                catch (NotSupportedException e)
                {
                    log.Warning("{Reason}: counted as up", e.Message);
                }
            }
        }
        checks.AddRange(state.VrrpScripts.Select(s => new VrrpScriptCheck(s.Name, s.Spec, scripts)));
        scheduler?.SyncAsync(checks).GetAwaiter().GetResult();
        health.Keep(checks.OfType<RealServerCheck>().Select(c => c.Key).ToHashSet());
        scripts.Keep(state.VrrpScripts.Select(s => s.Name).ToHashSet());
    }
}
