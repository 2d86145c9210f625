using Vigil.Core.Desired;

namespace Vigil.Core.Security;

/// <summary>One command the node will run: where it is written (for file:line) and as whom (null: the agent's own).</summary>
public sealed record NodeScript(string Command, string? User, string? Group, SourceOrigin Origin, string Field);

/// <summary>Every command a node's projection runs (vrrp_scripts, notify hooks, misc checks), with where each is written.</summary>
public static class NodeScripts
{
    public static IReadOnlyList<NodeScript> Of(DesiredState state, NodeDesiredState node)
    {
        var scripts = new List<NodeScript>();
        var instances = node.VrrpInstances.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in state.VrrpInstances.Where(i => instances.Contains(i.Name)))
        {
            AddNotify(scripts, instance.Spec.Notify, instance.Origin, "spec.notify");
        }
        var groups = node.SyncGroups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in state.SyncGroups.Where(g => groups.Contains(g.Name)))
        {
            AddNotify(scripts, group.Spec.Notify, group.Origin, "spec.notify");
        }
        var tracked = node.VrrpScripts.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var script in state.VrrpScripts.Where(s => tracked.Contains(s.Name)))
        {
            scripts.Add(new(script.Spec.Script, script.Spec.User, script.Spec.Group, script.Origin, "spec.script"));
        }
        var servers = node.VirtualServers.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var server in state.VirtualServers.Where(v => servers.Contains(v.Name)))
        {
            var notify = server.Spec.Notify;
            Add(scripts, notify?.OnQuorumUp, notify?.User, notify?.Group, server.Origin, "spec.notify.onQuorumUp");
            Add(scripts, notify?.OnQuorumDown, notify?.User, notify?.Group, server.Origin, "spec.notify.onQuorumDown");
            for (var i = 0; i < server.Spec.RealServers.Count; i++)
            {
                var real = server.Spec.RealServers[i];
                Add(scripts, real.Notify?.OnUp, notify?.User, notify?.Group, server.Origin, $"spec.realServers[{i}].notify.onUp");
                Add(scripts, real.Notify?.OnDown, notify?.User, notify?.Group, server.Origin, $"spec.realServers[{i}].notify.onDown");
                if (real.HealthCheck?.Misc is { } misc)
                {
                    scripts.Add(new(misc.Script, misc.User, null, server.Origin, $"spec.realServers[{i}].healthCheck.misc.script"));
                }
                for (var c = 0; c < real.HealthChecks.Count; c++)
                {
                    if (real.HealthChecks[c].Misc is { } each)
                    {
                        scripts.Add(new(each.Script, each.User, null, server.Origin, $"spec.realServers[{i}].healthChecks[{c}].misc.script"));
                    }
                }
            }
        }
        return scripts;
    }

    private static void AddNotify(List<NodeScript> scripts, NotifySpec? notify, SourceOrigin origin, string field)
    {
        if (notify is null)
        {
            return;
        }
        foreach (var (hook, name) in new[] { (notify.OnMaster, "onMaster"), (notify.OnBackup, "onBackup"), (notify.OnFault, "onFault"), (notify.OnStop, "onStop"), (notify.Any, "any") })
        {
            Add(scripts, hook, notify.User, notify.Group, origin, $"{field}.{name}");
        }
    }

    private static void Add(List<NodeScript> scripts, string? command, string? user, string? group, SourceOrigin origin, string field)
    {
        if (command is not null)
        {
            scripts.Add(new(command, user, group, origin, field));
        }
    }
}
