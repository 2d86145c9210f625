using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// keepalived's vrrp_garp_interval / vrrp_gna_interval as the Cluster's defaults.garpInterval / gnaInterval: a new
/// master's burst goes out one announcement per interval, not back to back (for a switch that drops a burst), from a
/// Vigil agent and from Debian's keepalived running the configuration Vigil renders, side by side on the wire.
/// keepalived 2.2.7 sends only two of the burst's five when paced (it queues an address once, not once per repeat,
/// seen here); Vigil sends the five it is asked for.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class GarpPacingTests
{
    private const double Interval = 0.040;

    [Theory]
    [InlineData(Daemon.Vigil, false)]
    [InlineData(Daemon.Keepalived, false)]
    [InlineData(Daemon.Vigil, true)]
    [InlineData(Daemon.Keepalived, true)]
    public void PacedInterface_TheBurstGoesOutOnePerInterval(Daemon daemon, bool ipv6)
    {
        Skips.IfMissing(FailoverLab.KeepalivedSkipReason);
        using var lab = new FailoverLab(new Scenario(Ipv6: ipv6));
        var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
        var paced = File.ReadAllText(cluster).Replace("    advertInterval: 100ms\n", $"    advertInterval: 100ms\n    {(ipv6 ? "gnaInterval" : "garpInterval")}: 40ms\n", StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(cluster), paced);
        File.WriteAllText(cluster, paced);
        var kind = ipv6 ? WireKind.NeighborAdvert : WireKind.GratuitousArp;
        var started = Takeover.Now();
        List<double> Burst() => [.. lab.Wire.Events.Where(e => e.Mac == lab.Ka1.Mac && e.Kind == kind && e.Address == lab.Scenario.Vip && e.Time > started).Select(e => e.Time)];

        Takeover.Start(lab, daemon, "ka1");

        var burst = daemon == Daemon.Vigil ? 5 : 2;
        Assert.True(FailoverLab.WaitUntil(() => Burst().Count >= burst, TimeSpan.FromSeconds(15)), $"no burst of {burst}\n{lab.Explain()}");
        // The first burst alone: the second comes garp.delay (5 s) later.
        var times = Burst().TakeWhile(t => t < Burst()[0] + 1).ToList();
        Assert.Equal(burst, times.Count);
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{daemon}: gaps {string.Join(", ", gaps.Select(g => $"{g * 1000:F1} ms"))}");
        // tcpdump stamps frames as they cross the bridge: allow it 2 ms of jitter either way.
        Assert.All(gaps, gap => Assert.True(gap >= Interval - 0.002, $"{gap * 1000:F1} ms between two announcements\n{lab.Explain()}"));
        Assert.True(times[^1] - times[0] < 4 * Interval + 0.1, $"the burst took {(times[^1] - times[0]) * 1000:F0} ms\n{lab.Explain()}");
    }
}
