using System.Diagnostics;
using Vigil.Demo;

namespace Vigil.Lab;

/// <summary>How a node runs in the lab: a Vigil agent or keepalived, and how it is crashed or stopped.</summary>
public enum Daemon { Vigil, Keepalived }

/// <summary>A takeover as seen on the wire: the old master's last word, the new master's first announcement.</summary>
public sealed record TakeoverFigures(WireEvent LastFromOldMaster, WireEvent FirstAnnouncement, WireEvent? FirstAdvert)
{
    public TimeSpan Gap => TimeSpan.FromSeconds(FirstAnnouncement.Time - LastFromOldMaster.Time);

    /// <summary>When the new master's first advert went out: its timer firing, before the VIPs are added and announced.</summary>
    public TimeSpan? AdvertGap => FirstAdvert is null ? null : TimeSpan.FromSeconds(FirstAdvert.Time - LastFromOldMaster.Time);
}

/// <summary>The steps every failover test takes: bring the pair up, stop the master one way or another, measure.</summary>
public static class Takeover
{
    public static Process Start(FailoverLab lab, Daemon daemon, string node) =>
        daemon == Daemon.Vigil ? lab.StartVigil(node) : lab.StartKeepalived(node);

    /// <summary>
    /// Brings the pair up with ka1 (priority 100) as the only master and ka2 listening as backup, then lets it settle.
    /// <paramref name="together"/> starts both at once (an election); otherwise ka1 first, then ka2 once ka1 holds the VIP
    /// (needed where the first master keeps the VIP, as with nopreempt). Checks that the higher priority won and that no two
    /// masters advertised beyond one advert interval. Throws <see cref="LabException"/> when any of that fails.
    /// </summary>
    public static (Process Ka1, Process Ka2) StartPair(FailoverLab lab, Daemon ka1, Daemon ka2, bool together = false)
    {
        var startedAt = Now();
        var vip = lab.Scenario.Vip;
        var two = together ? Start(lab, ka2, "ka2") : null;
        var one = Start(lab, ka1, "ka1");
        var settled = FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, vip) && !lab.Lab.Holds(lab.Ka2, vip) && Announced(lab, lab.Ka1, startedAt) is not null,
            TimeSpan.FromSeconds(20));
        LabException.ThrowUnless(settled, $"ka1 (priority 100) did not become the only master\n{lab.Explain()}");
        two ??= Start(lab, ka2, "ka2");
        LabException.ThrowUnless(FailoverLab.WaitUntil(() => IsBackup(lab, ka2, "ka2"), TimeSpan.FromSeconds(20)), $"ka2 did not start as backup\n{lab.Explain()}");
        Thread.Sleep(Max(5 * lab.Scenario.AdvertInterval, TimeSpan.FromMilliseconds(500)));
        LabException.ThrowUnless(lab.Lab.Holds(lab.Ka1, vip) && !lab.Lab.Holds(lab.Ka2, vip), $"the VIP moved while the pair was settling\n{lab.Explain()}");
        EnsureAtMostOneMaster(lab, startedAt);
        return (one, two);
    }

    /// <summary>A Vigil agent says so in its status file; keepalived in its log.</summary>
    public static bool IsBackup(FailoverLab lab, Daemon daemon, string node) => daemon == Daemon.Vigil
        ? lab.State(node) == "Backup"
        : lab.Output(node).Contains("Entering BACKUP STATE", StringComparison.Ordinal);

    /// <summary>As <see cref="IsBackup"/>, for master.</summary>
    public static bool IsMaster(FailoverLab lab, Daemon daemon, string node) => daemon == Daemon.Vigil
        ? lab.State(node) == "Master"
        : lab.Output(node).Contains("Entering MASTER STATE", StringComparison.Ordinal);

    /// <summary>
    /// Runs <paramref name="stop"/> on ka1 (the master) and waits for ka2's first announcement. The old master's last
    /// word is its last advert with a priority (crash) or its priority-0 advert (graceful stop).
    /// </summary>
    public static TakeoverFigures Measure(FailoverLab lab, Action stop, bool graceful)
    {
        var stoppedAt = Now();
        stop();
        var first = lab.Wire.WaitFor(e => e.Mac == lab.Ka2.Mac && e.Kind != WireKind.Advert && e.Time > stoppedAt, TimeSpan.FromSeconds(15));
        LabException.ThrowUnless(first is not null, $"ka2 announced nothing after ka1 stopped\n{lab.Explain()}");
        var last = lab.Wire.Events.LastOrDefault(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Time < first.Time
            && (graceful ? e.Priority == 0 : e.Priority > 0));
        LabException.ThrowUnless(last is not null, $"no {(graceful ? "priority-0 " : "")}advert from ka1 before the takeover\n{lab.Explain()}");
        LabException.ThrowUnless(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip), TimeSpan.FromSeconds(2)), $"ka2 announced but does not hold the VIP\n{lab.Explain()}");
        var advert = lab.Wire.Events.FirstOrDefault(e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.Advert && e.Priority > 0 && e.Time > last.Time);
        return new TakeoverFigures(last, first, advert);
    }

    /// <summary>
    /// Two masters at once is tolerated for one advert interval (the time the loser needs to hear the winner):
    /// after ka1's first advert since <paramref name="since"/>, ka2 may not advertise with a priority for longer than that.
    /// </summary>
    public static void EnsureAtMostOneMaster(FailoverLab lab, double since)
    {
        var overlap = TwoMasters(lab, since);
        LabException.ThrowUnless(overlap <= lab.Scenario.AdvertInterval + TimeSpan.FromMilliseconds(10),
            $"two masters for {overlap.TotalMilliseconds:F1} ms\n{lab.Explain()}");
    }

    /// <summary>How long ka2 kept advertising with a priority after ka1's first advert since <paramref name="since"/>.</summary>
    public static TimeSpan TwoMasters(FailoverLab lab, double since)
    {
        var events = lab.Wire.Events.Where(e => e.Time >= since).ToList();
        var firstFromKa1 = events.FirstOrDefault(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority > 0);
        var lastFromKa2 = events.LastOrDefault(e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.Advert && e.Priority > 0);
        return firstFromKa1 is null || lastFromKa2 is null || lastFromKa2.Time < firstFromKa1.Time
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds(lastFromKa2.Time - firstFromKa1.Time);
    }

    /// <summary>
    /// Stops <paramref name="node"/>: SIGTERM when <paramref name="graceful"/> (both daemons then send priority 0);
    /// otherwise a crash, SIGKILL for Vigil and <see cref="FailoverLab.CrashKeepalived"/> for keepalived.
    /// </summary>
    public static void Stop(FailoverLab lab, Daemon daemon, string node, Process process, bool graceful)
    {
        if (graceful)
        {
            NamespaceLab.Signal(process, "TERM");
        }
        else if (daemon == Daemon.Keepalived)
        {
            lab.CrashKeepalived(node, process);
        }
        else
        {
            NamespaceLab.Signal(process, "KILL");
        }
    }

    public static WireEvent? Announced(FailoverLab lab, LabHost host, double after) =>
        lab.Wire.Events.FirstOrDefault(e => e.Mac == host.Mac && e.Kind != WireKind.Advert && e.Time > after);

    /// <summary>The wall clock as tcpdump stamps frames: seconds since the epoch.</summary>
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
