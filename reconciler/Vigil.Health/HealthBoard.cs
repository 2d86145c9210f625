using System.Collections.Concurrent;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Health.Probes;

namespace Vigil.Health;

/// <summary>A real server's health as its checks last found it, since when and why.</summary>
public sealed record RealServerState(string VirtualServer, string RealServer, bool Up, string Reason, int? Weight, DateTimeOffset Since);

/// <summary>
/// What the checks found, per real server, for the IPVS planner (<see cref="Lookup"/>) and the status. A real server
/// with several checks (keepalived's several checkers) is up only while every one passes; its reason is the failing
/// check's. Only changes of a real server are logged and reported (<see cref="Changed"/>): one that keeps failing logs
/// its first failure and its recovery, not every attempt. A check that has not reported yet counts as up, as keepalived
/// starts real servers, or down under its virtual server's alpha, silently in both cases until a result says otherwise.
/// </summary>
public sealed class HealthBoard(ILogger log, TimeProvider time)
{
    private readonly Lock _gate = new();
    // Each check's last result, by the check's key; and each real server's state made of them, by the real server's.
    private readonly Dictionary<string, (RealServerCheck Check, ProbeResult Result)> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RealServerState> _servers = new(StringComparer.Ordinal);

    /// <summary>A real server went up or down (or its dynamic weight moved), with the check that found it.</summary>
    public event Action<RealServerCheck, RealServerState>? Changed;

    public void Report(RealServerCheck check, ProbeResult result)
    {
        RealServerState next;
        lock (_gate)
        {
            if (_checks.TryGetValue(check.Key, out var known) && known.Result.Up == result.Up && known.Result.Weight == result.Weight)
            {
                return;
            }
            _checks[check.Key] = (check, result);
            var previous = _servers.TryGetValue(check.RealKey, out var state) ? state : null;
            next = Combine(check);
            if (previous is not null && previous.Up == next.Up && previous.Weight == next.Weight)
            {
                // Nothing changed for the pool; the status still says which check fails now.
                _servers[check.RealKey] = next with { Since = previous.Since };
                return;
            }
            _servers[check.RealKey] = next;
            if (previous is null && next.Up != check.Alpha && next.Weight is null)
            {
                return; // as assumed before the first result
            }
        }
        if (next.Up)
        {
            log.Information("{VirtualServer}: real server {RealServer} up: {Reason}", check.VirtualServer, check.RealServer, next.Reason);
        }
        else
        {
            log.Warning("{VirtualServer}: real server {RealServer} down: {Reason}", check.VirtualServer, check.RealServer, next.Reason);
        }
        Changed?.Invoke(check, next);
    }

    /// <summary>The real server of <paramref name="reporting"/> as all its checks say; the caller holds the lock.</summary>
    private RealServerState Combine(RealServerCheck reporting)
    {
        var siblings = Enumerable.Range(0, reporting.Of)
            .Select(i => _checks.TryGetValue(RealServerCheck.KeyOf(reporting.RealKey, i, reporting.Of), out var c) ? c : ((RealServerCheck Check, ProbeResult Result)?)null)
            .ToList();
        var several = reporting.Of > 1;
        var failing = siblings.FirstOrDefault(c => c is { Result.Up: false });
        var unreported = siblings.Any(c => c is null);
        var now = time.GetUtcNow();
        if (failing is { } down)
        {
            return new RealServerState(reporting.VirtualServer, reporting.RealServer, false, several ? $"{down.Check.ProbeName}: {down.Result.Reason}" : down.Result.Reason, null, now);
        }
        if (unreported && reporting.Alpha)
        {
            return new RealServerState(reporting.VirtualServer, reporting.RealServer, false, "not every check has passed yet (alpha)", null, now);
        }
        var weight = siblings.Select(c => c?.Result.Weight).FirstOrDefault(w => w is not null);
        var reason = several ? $"{reporting.ProbeName}: {_checks[reporting.Key].Result.Reason}" : _checks[reporting.Key].Result.Reason;
        return new RealServerState(reporting.VirtualServer, reporting.RealServer, true, reason, weight, now);
    }

    /// <summary>Forgets checks that no longer exist (their real servers left the configuration, or their checks changed).</summary>
    public void Keep(IReadOnlySet<string> checkKeys)
    {
        lock (_gate)
        {
            foreach (var key in _checks.Keys.Where(k => !checkKeys.Contains(k)).ToList())
            {
                _checks.Remove(key);
            }
            var servers = _checks.Values.Select(c => c.Check.RealKey).ToHashSet(StringComparer.Ordinal);
            foreach (var key in _servers.Keys.Where(k => !servers.Contains(k)))
            {
                _servers.TryRemove(key, out _);
            }
        }
    }

    public IReadOnlyList<RealServerState> States() => [.. _servers.Values.OrderBy(s => s.VirtualServer, StringComparer.Ordinal).ThenBy(s => s.RealServer, StringComparer.Ordinal)];

    /// <summary>For <see cref="DesiredIpvsTable"/>: down leaves the pool (or weight 0 with inhibitOnFailure); a dynamic weight is used.</summary>
    public RealServerHealth Lookup(VirtualServerSpec server, RealServerSpec real) =>
        _servers.TryGetValue(RealServerCheck.KeyOf(server, real), out var state) ? new RealServerHealth(state.Up, state.Weight)
        : server.Alpha && real.Checks.Count > 0 ? RealServerHealth.Failed
        : RealServerHealth.Healthy;
}
