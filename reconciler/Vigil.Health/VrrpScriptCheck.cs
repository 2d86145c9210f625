using System.Collections.Concurrent;
using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Health;

/// <summary>
/// The vrrp_scripts' states for the VRRP engine: OK or failing, as keepalived counts them (a script starts OK; it
/// fails after <c>fall</c> failed runs in a row and recovers after <c>rise</c> successful ones). Only changes are
/// logged and reported.
/// </summary>
public sealed class VrrpScriptStates(ILogger log)
{
    private readonly ConcurrentDictionary<string, (bool Healthy, string Reason)> _states = new();

    public event Action<string, bool>? Changed;

    /// <summary>A script nobody ran yet counts as OK, as keepalived starts them.</summary>
    public bool IsHealthy(string name) => !_states.TryGetValue(name, out var state) || state.Healthy;

    public IReadOnlyDictionary<string, (bool Healthy, string Reason)> All() => new Dictionary<string, (bool, string)>(_states);

    internal void Set(string name, bool healthy, string reason)
    {
        var previous = IsHealthy(name);
        _states[name] = (healthy, reason);
        if (previous != healthy)
        {
            if (healthy)
            {
                log.Information("vrrp_script {Script}: OK again: {Reason}", name, reason);
            }
            else
            {
                log.Warning("vrrp_script {Script}: failed: {Reason}", name, reason);
            }
            Changed?.Invoke(name, healthy);
        }
    }

    public void Keep(IReadOnlySet<string> names)
    {
        foreach (var name in _states.Keys.Where(n => !names.Contains(n)))
        {
            _states.TryRemove(name, out _);
        }
    }
}

/// <summary>One vrrp_script: run every interval, killed at its timeout (the interval when not set); exit 0 is success.</summary>
public sealed class VrrpScriptCheck(string name, VrrpScriptSpec spec, VrrpScriptStates states) : IScheduledCheck
{
    private int _failures;
    private int _successes;

    public string Name => name;

    public VrrpScriptSpec Spec => spec;

    public string Key => $"vrrp_script {name}";

    public TimeSpan Interval => spec.Interval;

    public bool SameAs(IScheduledCheck other) => other is VrrpScriptCheck script && script.Name == name && script.Spec == spec;

    public async Task RunAsync(CancellationToken cancellation)
    {
        var exit = await ScriptProcess.RunAsync(spec.Script, spec.User, spec.Group, spec.Timeout ?? spec.Interval, cancellation).ConfigureAwait(false);
        Record(exit);
    }

    /// <summary>keepalived's fall and rise: consecutive results move the state, a single one does not (unless 1).</summary>
    internal void Record(ScriptExit exit)
    {
        var healthy = states.IsHealthy(name);
        if (exit.Succeeded)
        {
            (_successes, _failures) = (_successes + 1, 0);
            if (!healthy && _successes >= Math.Max(1, spec.Rise))
            {
                states.Set(name, true, $"{exit.Reason}, {_successes} success(es) in a row");
            }
        }
        else
        {
            (_failures, _successes) = (_failures + 1, 0);
            if (healthy && _failures >= Math.Max(1, spec.Fall))
            {
                states.Set(name, false, $"{exit.Reason}, {_failures} failure(s) in a row");
            }
        }
    }

    public void Dispose()
    {
    }
}
