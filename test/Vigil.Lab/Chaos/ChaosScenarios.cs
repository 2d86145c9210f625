using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>
/// The faults of the chaos suite, each on a fresh lab with ka1 (priority 100) master and ka2 (80) backup. The tests
/// run them shortened; the `chaos` benchmark runs them in full for each pair of daemons and prints the table.
/// </summary>
public static class ChaosScenarios
{
    /// <summary>The backup loses <paramref name="percent"/> % of the VRRP packets it would receive, at random, for <paramref name="duration"/>.</summary>
    public static ChaosOutcome LossyLink(Daemon ka1, Daemon ka2, string interval, TimeSpan duration, int percent = 30)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: interval), ka1, ka2);
        NodeFaults.DropVrrp(run.Lab.Ka2, percent);
        Thread.Sleep(duration);
        NodeFaults.Heal(run.Lab.Ka2);
        // Each mistaken takeover is the backup's own: the master answers its first lower advert, and a backup that
        // hears one of the answers steps down, so two masters last about one advert interval, rarely two.
        return run.End($"lossy link {percent} %, {interval} adverts, {duration.TotalSeconds:F0} s", takeoversExpected: 0, enforce: false);
    }

    /// <summary>
    /// ka2 stops hearing ka1 (ka1 still hears ka2) for <paramref name="duration"/>: ka2 takes over, both are master; ka1
    /// must see the split brain and say so; once ka2 hears again it steps down at ka1's next advert, and the client
    /// ends up talking to ka1.
    /// </summary>
    public static ChaosOutcome OneWayLoss(Daemon ka1, Daemon ka2, TimeSpan duration)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms"), ka1, ka2);
        var lab = run.Lab;
        var cut = Takeover.Now();
        NodeFaults.DropVrrp(lab.Ka2, from: "198.51.100.11");
        var tookOver = lab.Wire.WaitFor(e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.GratuitousArp && e.Time > cut, TimeSpan.FromSeconds(5));
        run.Must(tookOver is not null, "ka2 did not take over when it stopped hearing ka1");
        Thread.Sleep(duration);
        if (ka1 == Daemon.Vigil)
        {
            // Reported in the status and its metrics while it lasts, and logged once.
            run.Must(FailoverLab.WaitUntil(() => SplitBrains(lab) == 1, TimeSpan.FromSeconds(3)), "ka1's status and metrics report no split brain");
            run.Must(lab.Output("ka1").Split('\n').Count(l => l.Contains("split brain: 198.51.100.12", StringComparison.Ordinal)) == 1,
                "ka1's log does not say once that ka2 is a second master");
        }
        var healed = Takeover.Now();
        NodeFaults.Heal(lab.Ka2);
        run.Ka2SteppedDown(healed, run.Scenario.AdvertInterval + TimeSpan.FromMilliseconds(20), "it could hear ka1 again");
        run.ClientTalksToKa1("3 adverts after the path healed");
        return run.End($"one-way loss {duration.TotalSeconds:F0} s", takeoversExpected: 1);
    }

    /// <summary>
    /// The master's daemon frozen (SIGSTOP) for <paramref name="frozen"/>, then resumed: ka2 takes over within
    /// Master_Down_Interval; after the resume, one master within one advert interval, and the client talks to ka1.
    /// </summary>
    public static ChaosOutcome GrayFailure(Daemon ka1, Daemon ka2, TimeSpan frozen)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms"), ka1, ka2);
        var lab = run.Lab;
        var pid = run.VrrpProcess("ka1", run.Ka1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Frozen once its second GARP burst (5 s after it became master) is behind it, so that the burst cannot stand in
        // for what the master must do when it resumes.
        var tookVip = lab.Wire.Events.First(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.GratuitousArp).Time;
        FailoverLab.WaitUntil(() => Takeover.Now() > tookVip + 5.5, TimeSpan.FromSeconds(10));
        var frozenAt = Takeover.Now();
        NamespaceLab.Run("kill", "-STOP", pid);
        var tookOver = lab.Wire.WaitFor(e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.GratuitousArp && e.Time > frozenAt, TimeSpan.FromSeconds(5));
        FailoverLab.WaitUntil(() => Takeover.Now() > frozenAt + frozen.TotalSeconds, frozen + TimeSpan.FromSeconds(1));
        var resumedAt = Takeover.Now();
        NamespaceLab.Run("kill", "-CONT", pid);
        if (tookOver is null)
        {
            run.Must(false, "ka2 did not take over from the frozen master");
        }
        else
        {
            var lastWord = lab.Wire.Events.Last(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Time < tookOver.Time);
            var bound = run.Scenario.MasterDownInterval + TimeSpan.FromMilliseconds(20);
            run.Must(tookOver.Time - lastWord.Time <= bound.TotalSeconds,
                $"ka2 took over {(tookOver.Time - lastWord.Time) * 1000:F0} ms after ka1's last advert (at most {bound.TotalMilliseconds:F0} ms)");
        }
        var back = lab.Wire.WaitFor(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority > 0 && e.Time > resumedAt, TimeSpan.FromSeconds(5));
        run.Must(back is not null, "ka1 sent no advert after it was resumed");
        if (back is not null)
        {
            run.Ka2SteppedDown(back.Time, run.Scenario.AdvertInterval + TimeSpan.FromMilliseconds(10), "ka1 resumed (two masters)");
            run.ClientTalksToKa1("3 adverts after ka1 resumed");
        }
        return run.End($"gray failure: master frozen {frozen.TotalSeconds:F0} s", takeoversExpected: 2);
    }

    /// <summary>Both nodes under busy loops (two per core in all) at 100 ms adverts for <paramref name="duration"/>: no takeover.</summary>
    public static ChaosOutcome CpuStarvation(Daemon ka1, Daemon ka2, TimeSpan duration)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms"), ka1, ka2);
        var hogs = NodeFaults.CpuHogs(run.Lab.Lab, run.Lab.Ka1, Environment.ProcessorCount)
            .Concat(NodeFaults.CpuHogs(run.Lab.Lab, run.Lab.Ka2, Environment.ProcessorCount)).ToList();
        try
        {
            Thread.Sleep(duration);
        }
        finally
        {
            NodeFaults.Stop(hogs);
        }
        return run.End($"CPU starvation {duration.TotalSeconds:F0} s, 100 ms adverts", takeoversExpected: 0);
    }

    /// <summary>
    /// The master's eth0 (or, with <paramref name="tracked"/>, a tracked eth1) down and up every
    /// <paramref name="every"/> for <paramref name="duration"/>: afterwards ka1 is the one master, and each agent logged
    /// every transition once.
    /// </summary>
    public static ChaosOutcome LinkFlaps(Daemon ka1, Daemon ka2, TimeSpan every, TimeSpan duration, bool tracked = false)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms", TrackInterface: tracked ? "eth1" : null), ka1, ka2);
        var flaps = NodeFaults.FlapLink(run.Lab.Ka1, tracked ? "eth1" : "eth0", every, duration);
        // A node hands the VIP over as it leaves master; only a takeover's first moments may see it on both.
        var overlap = run.Scenario.AdvertInterval + TimeSpan.FromMilliseconds(50);
        return run.End($"{(tracked ? "tracked eth1" : "eth0")} flaps every {every.TotalMilliseconds:F0} ms x {flaps}", takeoversExpected: null,
            judge: f => run.Must(f.LongestVipOnTwo <= overlap, $"the VIP was on both nodes for {f.LongestVipOnTwo.TotalMilliseconds:F0} ms (at most {overlap.TotalMilliseconds:F0} ms)"));
    }

    /// <summary>
    /// <paramref name="count"/> forged lower-priority adverts from ever-changing sources, as fast as the client can send
    /// them: no takeover, and the master answers at most ten times per advert interval (besides its own adverts) and
    /// announces once, so the flood is not amplified into adverts and gratuitous ARPs; a Vigil agent keeps at most 64 of
    /// the senders.
    /// </summary>
    public static ChaosOutcome Flood(Daemon ka1, Daemon ka2, int count)
    {
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms"), ka1, ka2);
        var lab = run.Lab;
        var started = Takeover.Now();
        AdvertFlood.Send(lab, count, priority: 50);
        var ended = Takeover.Now();
        var intervals = (ended - started) / run.Scenario.AdvertInterval.TotalSeconds;
        var adverts = lab.Wire.Events.Count(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Time >= started && e.Time <= ended + 0.05);
        var announcements = lab.Wire.Events.Count(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.GratuitousArp && e.Time >= started && e.Time <= ended + 0.2);
        var answers = Vigil.Vrrp.StateMachine.VrrpStateMachine.LowerPriorityAnswersPerInterval;
        var allowed = (int)Math.Ceiling((answers + 1) * intervals) + 3;
        run.Must(adverts <= allowed, $"ka1 sent {adverts} adverts during a {(ended - started) * 1000:F0} ms flood (at most {allowed}: its own, and {answers} answers per interval)");
        // Its own takeover's bursts, and one burst of repeat (5) a second time 100 ms later per interval.
        var bursts = (int)Math.Ceiling(2 * intervals) + 3;
        run.Must(announcements <= 10 * bursts, $"ka1 sent {announcements} gratuitous ARPs during the flood (at most {10 * bursts})");
        if (ka1 == Daemon.Vigil)
        {
            var heard = lab.StatusDocument("ka1")?["instances"]?[0]?["routersHeard"]?.AsArray().Count ?? 0;
            run.Must(heard <= Vigil.Vrrp.Engine.RouterSightings.Kept + 1, $"ka1 keeps {heard} senders (at most {Vigil.Vrrp.Engine.RouterSightings.Kept})");
        }
        return run.End($"advert flood: {count:N0} forged lower-priority adverts in {(ended - started) * 1000:F0} ms", takeoversExpected: 0);
    }

    /// <summary>The split brains a Vigil agent's status reports, as its /metrics says them (null without a status).</summary>
    private static double? SplitBrains(FailoverLab lab)
    {
        if (lab.TypedStatus("ka1") is not { } status)
        {
            return null;
        }
        var line = Vigil.Agent.PrometheusText.Of(status).Split('\n').FirstOrDefault(l => l.StartsWith("vigil_drift_items{", StringComparison.Ordinal) && l.Contains("split", StringComparison.OrdinalIgnoreCase));
        return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
