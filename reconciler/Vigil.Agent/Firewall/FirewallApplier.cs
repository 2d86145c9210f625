using Serilog;

namespace Vigil.Agent.Firewall;

/// <summary>
/// The one owner of Vigil's nftables tables (ip vigil, ip6 vigil), which carry accept mode off: level-based, each pass
/// makes the tables what <c>wanted</c> says now, in one transaction, when that differs from what was last applied, or
/// always after a drift check (someone may have flushed them). On its own <see cref="PassThread"/>, poked on
/// transitions and reloads; the agent's stop removes them, as keepalived removes its own.
/// </summary>
public sealed class FirewallApplier : IDisposable
{
    private readonly INftables _nft;
    private readonly Func<NoAcceptRules> _wanted;
    private readonly ILogger _log;
    private readonly PassThread _passes;
    private readonly Lock _gate = new();
    private string? _applied;
    private volatile bool _recheck;
    private volatile string[] _problems = [];

    public FirewallApplier(INftables nft, Func<NoAcceptRules> wanted, ILogger log)
    {
        _nft = nft;
        _wanted = wanted;
        _log = log;
        _passes = new PassThread("firewall", () => Converge() is null, TimeSpan.FromMilliseconds(500), 10);
    }

    /// <summary>What the last pass could not do (for the status' notApplied); empty when the tables are as wanted.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Asks for a pass; <paramref name="recheck"/> applies even when nothing changed (after a drift check).</summary>
    public void Poke(bool recheck = false)
    {
        if (recheck) _recheck = true;
        _passes.Poke();
    }

    /// <summary>One pass on the caller's thread, to <paramref name="wanted"/> or else what the source says; null when done, else why not.</summary>
    public string? Converge(NoAcceptRules? wanted = null)
    {
        wanted ??= _wanted();
        lock (_gate)
        {
            var script = wanted.Script();
            // Nothing was ever made and nothing is wanted: another tool's table of that name is not Vigil's to touch.
            if ((script == _applied && !_recheck) || (_applied is null && !wanted.Tables))
            {
                return null;
            }
            _recheck = false;
            var error = _nft.Apply(script);
            if (error is null)
            {
                if (script != _applied)
                {
                    _log.Information("firewall: {Tables}, dropping traffic to {Addresses}", wanted.Tables ? "tables ip/ip6 vigil" : "tables removed",
                        wanted.Dropped.Count == 0 ? "no VIP" : string.Join(", ", wanted.Dropped));
                }
                _applied = script;
                _problems = [];
                return null;
            }
            var problem = $"accept mode off not enforced: {error}";
            if (_problems.Length == 0 || _problems[0] != problem) _log.Error("firewall: {Problem}", problem);
            _problems = [problem];
            return problem;
        }
    }

    public void Dispose() => _passes.Dispose();
}
