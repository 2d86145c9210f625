using System.Collections.Concurrent;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Health.Probes;

namespace Vigil.Health;

/// <summary>A real server's health as its checks last found it, since when and why.</summary>
public sealed record RealServerState(string VirtualServer, string RealServer, bool Up, string Reason, int? Weight, DateTimeOffset Since);

/// <summary>
/// What the checks found, per real server, for the IPVS planner (<see cref="Lookup"/>) and the status. Only changes
/// are logged and reported (<see cref="Changed"/>): a server that keeps failing logs its first failure and its
/// recovery, not every attempt. A real server nobody checked yet counts as up, as keepalived starts them, or down
/// under its virtual server's alpha, silently in both cases until a result says otherwise.
/// </summary>
public sealed class HealthBoard(ILogger log, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RealServerState> _states = new();

    /// <summary>A real server went up or down (or its dynamic weight moved), with the check that found it.</summary>
    public event Action<RealServerCheck, RealServerState>? Changed;

    public void Report(RealServerCheck check, ProbeResult result)
    {
        var now = time.GetUtcNow();
        var next = new RealServerState(check.VirtualServer, check.RealServer, result.Up, result.Reason, result.Weight, now);
        var previous = _states.TryGetValue(check.Key, out var known) ? known : null;
        if (previous is not null && previous.Up == next.Up && previous.Weight == next.Weight)
        {
            return;
        }
        _states[check.Key] = next;
        if (previous is null && next.Up != check.Alpha && next.Weight is null)
        {
            return; // as assumed before the first result: nothing changed for the pool
        }
        if (next.Up)
        {
            log.Information("{VirtualServer}: real server {RealServer} up: {Reason}", check.VirtualServer, check.RealServer, result.Reason);
        }
        else
        {
            log.Warning("{VirtualServer}: real server {RealServer} down: {Reason}", check.VirtualServer, check.RealServer, result.Reason);
        }
        Changed?.Invoke(check, next);
    }

    /// <summary>Forgets checks that no longer exist (their real servers left the configuration).</summary>
    public void Keep(IReadOnlySet<string> keys)
    {
        foreach (var key in _states.Keys.Where(k => !keys.Contains(k)))
        {
            _states.TryRemove(key, out _);
        }
    }

    public IReadOnlyList<RealServerState> States() => [.. _states.Values.OrderBy(s => s.VirtualServer, StringComparer.Ordinal).ThenBy(s => s.RealServer, StringComparer.Ordinal)];

    /// <summary>For <see cref="DesiredIpvsTable"/>: down leaves the pool (or weight 0 with inhibitOnFailure); a dynamic weight is used.</summary>
    public RealServerHealth Lookup(VirtualServerSpec server, RealServerSpec real) =>
        _states.TryGetValue(RealServerCheck.KeyOf(server, real), out var state) ? new RealServerHealth(state.Up, state.Weight)
        : server.Alpha && real.HealthCheck is not null ? RealServerHealth.Failed
        : RealServerHealth.Healthy;
}
