using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Agent.Tests;

/// <summary>The chaos suite's figures from plain wire events and kernel changes.</summary>
public sealed class ChaosFiguresTests
{
    private const string Ka1 = "02:00:00:00:00:11";
    private const string Ka2 = "02:00:00:00:00:12";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MasterDown = TimeSpan.FromMilliseconds(361);

    [Fact]
    public void AFrozenMaster_IsTwoTakeovers_AndTheVipOnBothWhileFrozen()
    {
        List<WireEvent> wire = [.. Adverts(Ka1, 0, 1.0), .. Adverts(Ka2, 1.4, 6.0, priority: 80), .. Adverts(Ka1, 6.0, 8.0)];
        List<HoldChange> holds = [new(-1, "ka1", true), new(-1, "ka2", false), new(1.4, "ka2", true), new(6.01, "ka2", false)];

        var figures = ChaosFigures.Of(wire, holds, 0, 8, Interval, MasterDown);
        // The window opens just after the master's last advert before it froze: it is still the master then.
        var justAfter = ChaosFigures.Of(wire, holds, 1.05, 8, Interval, MasterDown);

        Assert.Equal(2, figures.Takeovers);
        Assert.Equal(2, justAfter.Takeovers);
        Assert.Equal(0, figures.LongestWithoutVip.TotalMilliseconds, 1);
        Assert.Equal(4610, figures.LongestVipOnTwo.TotalMilliseconds, 1);
        Assert.Equal(0, figures.LongestDualMaster.TotalMilliseconds, 1);
    }

    [Fact]
    public void AMistakenTakeover_OverlapsTheMaster_AndALateAdvertIsLateness()
    {
        List<WireEvent> wire = [.. Adverts(Ka1, 0, 2.0).Where(a => Math.Abs(a.Time - 1.0) > 0.01), .. Adverts(Ka2, 0.5, 0.7, priority: 80)];
        List<HoldChange> holds = [new(0, "ka1", false), new(0.2, "ka1", true)];

        var figures = ChaosFigures.Of(wire, holds, 0, 2, Interval, MasterDown);

        Assert.Equal(1, figures.Takeovers);
        Assert.Equal(200, figures.LongestDualMaster.TotalMilliseconds, 1);
        Assert.Equal(200, figures.LongestWithoutVip.TotalMilliseconds, 1);
        Assert.Equal(100, figures.WorstAdvertLateness.TotalMilliseconds, 1);
    }

    [Fact]
    public void ATakeoverSoonAfterSteppingDown_IsANewMastership_NotALateAdvert()
    {
        // Under a lossy link the backup takes over, steps down on hearing the master, and takes over again 300 ms later.
        List<WireEvent> wire = [.. Adverts(Ka1, 0, 2.0), .. Adverts(Ka2, 0.55, 0.55, priority: 80), .. Adverts(Ka2, 0.85, 0.85, priority: 80)];
        Assert.Equal(0, ChaosFigures.Of(wire, [], 0, 2, Interval, MasterDown).WorstAdvertLateness.TotalMilliseconds, 1);

        // The same gap with only lower-priority routers about (forged adverts of a flood) is a late advert.
        List<WireEvent> flooded = [.. Adverts(Ka2, 0.55, 0.55, priority: 80), .. Adverts(Ka2, 0.85, 0.85, priority: 80), .. Adverts(Ka1, 0.6, 0.8, priority: 50)];
        Assert.Equal(200, ChaosFigures.Of(flooded, [], 0, 2, Interval, MasterDown).WorstAdvertLateness.TotalMilliseconds, 1);
    }

    [Fact]
    public void TransitionLog_FindsADoubledOrMissingTransition()
    {
        const string chained = "x vi_1: Initialize -> Backup (startup), priority 80\nx vi_1: Backup -> Master (master down), priority 80\nvi_1: Master -> Backup (higher priority 100 from 198.51.100.11)";
        Assert.Empty(TransitionLog.Gaps(chained));
        Assert.Equal(["vi_1: after -> Master, logged Backup -> Master"], TransitionLog.Gaps(chained.Split('\n')[1] + "\n" + chained.Split('\n')[1]));
    }

    private static IEnumerable<WireEvent> Adverts(string mac, double from, double to, int priority = 100)
    {
        for (var t = from; t <= to + 1e-9; t += 0.1)
        {
            yield return new(Math.Round(t, 3), mac, WireKind.Advert, "", "224.0.0.18", priority, "");
        }
    }
}
