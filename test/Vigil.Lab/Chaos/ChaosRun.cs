using System.Diagnostics;
using System.Globalization;
using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>What one fault did to one pair: its figures, and each rule that did not hold (none when it passed).</summary>
public sealed record ChaosOutcome(string Fault, Daemon Ka1, Daemon Ka2, int? TakeoversExpected, ChaosFigures Figures, TimeSpan ClientOutage,
    IReadOnlyList<string> Broken, string Explanation)
{
    public int? FalseTakeovers => TakeoversExpected is { } expected ? Math.Max(0, Figures.Takeovers - expected) : null;

    public string Pair => $"{Name(Ka1)}/{Name(Ka2)}";

    private static string Name(Daemon daemon) => daemon == Daemon.Vigil ? "vigil" : "keepalived";
}

/// <summary>
/// One fault scenario on a fresh lab: the pair is brought up (ka1, priority 100, master), the client pings the VIP
/// and the nodes' kernels are watched; the scenario injects its fault and checks what must hold meanwhile
/// (<see cref="Must"/>); <see cref="End"/> checks the pair settles where it must (ka1 the one master, the VIP on ka1
/// alone, the client's neighbour entry pointing at ka1) and measures the window.
/// </summary>
public sealed class ChaosRun : IDisposable
{
    private readonly List<string> _broken = [];
    private readonly PingWatch _ping;

    /// <param name="perNodeConfig">Each node reads a folder of its own (a copy of the lab's), so that a change can reach one first.</param>
    /// <param name="prepare">Edits each node's own folder before the daemons start (the state a rollout starts from).</param>
    public ChaosRun(Scenario scenario, Daemon ka1, Daemon ka2, bool perNodeConfig = false, Action<string>? prepare = null)
    {
        Lab = new FailoverLab(scenario);
        try
        {
            if (perNodeConfig)
            {
                foreach (var node in new[] { "ka1", "ka2" })
                {
                    var folder = Directory.CreateDirectory(Path.Combine(Lab.Directory, node + "-config")).FullName;
                    foreach (var file in Directory.GetFiles(Lab.ConfigFolder))
                    {
                        File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
                    }
                    prepare?.Invoke(folder);
                    Lab.NodeConfig[node] = folder;
                }
            }
            // The drift check every second, so that a split brain is reported within the scenario.
            Lab.VigilSource = node => ["--config", Lab.NodeConfig.GetValueOrDefault(node) ?? Lab.ConfigFolder, "--drift-interval", "1s"];
            Daemons = (ka1, ka2);
            // Watched from before the daemons start, so that the watch's own probe address is no drift of theirs.
            Holders = new VipHolders(Lab, Lab.Ka1, Lab.Ka2);
            (Ka1, Ka2) = Takeover.StartPair(Lab, ka1, ka2);
            _ping = new PingWatch(Lab);
            From = Takeover.Now();
        }
        catch
        {
            Lab.Dispose();
            throw;
        }
    }

    public FailoverLab Lab { get; }

    public (Daemon Ka1, Daemon Ka2) Daemons { get; }

    public Process Ka1 { get; }

    public Process Ka2 { get; }

    public VipHolders Holders { get; }

    public double From { get; }

    public Scenario Scenario => Lab.Scenario;

    /// <summary>Records a rule that did not hold (the run goes on, so that its figures are still measured).</summary>
    public void Must(bool condition, string rule)
    {
        if (!condition)
        {
            _broken.Add(rule);
        }
    }

    /// <summary>
    /// ka2 must have stopped advertising within <paramref name="bound"/> of <paramref name="since"/> (when it could
    /// hear ka1 again): looked at three advert intervals later.
    /// </summary>
    public void Ka2SteppedDown(double since, TimeSpan bound, string after)
    {
        FailoverLab.WaitUntil(() => Takeover.Now() > since + (3 * Scenario.AdvertInterval).TotalSeconds, TimeSpan.FromSeconds(5));
        var last = Lab.Wire.Events.LastOrDefault(e => e.Mac == Lab.Ka2.Mac && e.Kind == WireKind.Advert && e.Priority > 0);
        Must(last is null || last.Time - since <= bound.TotalSeconds,
            $"ka2 still advertised {(last!.Time - since) * 1000:F0} ms after {after} (at most {bound.TotalMilliseconds:F0} ms)");
    }

    /// <summary>The client's neighbour entry for the VIP must be ka1's MAC (a master that does not announce itself leaves it on another node).</summary>
    public void ClientTalksToKa1(string when) => ClientTalksTo(Lab.Ka1, when);

    private void ClientTalksTo(LabHost master, string when)
    {
        var neighbour = NamespaceLab.Run("ip", "-n", Lab.Client.Namespace, "neigh", "show", Scenario.Vip).Output.Trim();
        Must(neighbour.Contains("lladdr " + master.Mac, StringComparison.Ordinal), $"{when}, the client's neighbour entry for the VIP is not {master.Name}'s ({master.Mac}): '{neighbour}'");
    }

    /// <summary>The process whose freezing freezes the node's VRRP: the agent, or keepalived's VRRP child.</summary>
    public int VrrpProcess(string node, Process daemon) =>
        (node == "ka1" ? Daemons.Ka1 : Daemons.Ka2) == Daemon.Vigil
            ? daemon.Id
            : int.Parse(File.ReadAllText(Lab.KeepalivedVrrpPidFile(node)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Waits for the pair to settle (ka1 master and alone with the VIP, ka2 silent), checks the client's neighbour
    /// entry and the agents' own account, and returns the figures of the whole window.
    /// </summary>
    /// <param name="takeoversExpected">How many the fault calls for, if it says (a count the run must meet when
    /// <paramref name="enforce"/>; otherwise what is beyond it is the false takeovers the figures report).</param>
    /// <param name="judge">The scenario's own rules on the figures (it calls <see cref="Must"/>).</param>
    /// <param name="master">The node that must end as master (ka1 unless the scenario moved mastership on purpose).</param>
    public ChaosOutcome End(string fault, int? takeoversExpected, bool enforce = true, Action<ChaosFigures>? judge = null, string master = "ka1")
    {
        var scenario = Lab.Scenario;
        var vip = scenario.Vip;
        var (winner, loser) = master == "ka1" ? (Lab.Ka1, Lab.Ka2) : (Lab.Ka2, Lab.Ka1);
        var settleWithin = (3 * scenario.MasterDownInterval) + TimeSpan.FromSeconds(2);
        var quiet = 3 * scenario.AdvertInterval;
        var settled = FailoverLab.WaitUntil(() =>
            Lab.Lab.Holds(winner, vip) && !Lab.Lab.Holds(loser, vip)
            && !Lab.Wire.Events.Any(e => e.Mac == loser.Mac && e.Kind == WireKind.Advert && e.Priority > 0 && e.Time > Takeover.Now() - quiet.TotalSeconds),
            settleWithin);
        Must(settled, $"{winner.Name} did not end as the one master holding the VIP within {settleWithin.TotalSeconds:F1} s ({winner.Name} holds: {Lab.Lab.Holds(winner, vip)}, {loser.Name} holds: {Lab.Lab.Holds(loser, vip)})");
        var (outageFrom, outage) = _ping.LongestSilence();
        // A client loses the VIP for no longer than a takeover takes (and the next advert's announcement).
        var outageBound = scenario.MasterDownInterval + scenario.AdvertInterval + TimeSpan.FromMilliseconds(50);
        Must(outage <= outageBound, $"the client had no answer from the VIP for {outage.TotalMilliseconds:F0} ms (at most {outageBound.TotalMilliseconds:F0} ms)");
        ClientTalksTo(winner, "at the end");
        foreach (var (node, daemon, process, state) in new[] { ("ka1", Daemons.Ka1, Ka1, master == "ka1" ? "Master" : "Backup"), ("ka2", Daemons.Ka2, Ka2, master == "ka2" ? "Master" : "Backup") })
        {
            Must(!process.HasExited, $"{node}'s {daemon} exited");
            if (daemon == Daemon.Vigil)
            {
                Must(FailoverLab.WaitUntil(() => Lab.State(node) == state, TimeSpan.FromSeconds(2)), $"{node}'s status says {Lab.State(node)}, not {state}");
                // Every transition logged once: each logged transition starts where the one before it ended.
                var gaps = TransitionLog.Gaps(Lab.Output(node));
                Must(gaps.Count == 0, $"{node}'s log does not chain its transitions: {string.Join("; ", gaps)}");
            }
        }
        var to = Takeover.Now();
        // The nodes' frames only: forged adverts (the flood) are not a master's.
        var nodes = Lab.Wire.Events.Where(e => e.Mac == Lab.Ka1.Mac || e.Mac == Lab.Ka2.Mac).ToList();
        var figures = ChaosFigures.Of(nodes, Holders.Changes, From, to, scenario.AdvertInterval, scenario.MasterDownInterval);
        if (enforce && takeoversExpected is not null)
        {
            Must(figures.Takeovers == takeoversExpected, $"{figures.Takeovers} takeover(s), {takeoversExpected} expected");
        }
        judge?.Invoke(figures);
        return new(fault, Daemons.Ka1, Daemons.Ka2, takeoversExpected, figures, outage, [.. _broken],
            _broken.Count == 0 ? "" : $"{Lab.Explain()}\nclient's longest outage from {outageFrom:F6}\nVIP held (kernel):\n{string.Join('\n', Holders.Changes.Select(c => $"{c.Time:F6} {c.Node} {(c.Holds ? "added" : "removed")}"))}");
    }

    public void Dispose() => Lab.Dispose();
}
