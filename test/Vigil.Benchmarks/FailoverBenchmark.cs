using System.Globalization;
using Vigil.Lab;

namespace Vigil.Benchmarks;

/// <summary>
/// `failover`: the failover tests' scenarios, run for a Vigil pair and for a keepalived pair in the same namespace
/// lab, runs interleaved so that both see the same machine. A takeover is timed on the wire (tcpdump on the
/// bridge) from the old master's last advert (crash) or priority-0 advert (graceful stop) to the new master's
/// first gratuitous ARP. Each run is a fresh lab and fresh daemons, so every takeover is a first one.
/// </summary>
internal static class FailoverBenchmark
{
    private sealed record Case(string Name, Scenario Scenario, bool Graceful)
    {
        public TimeSpan Bound => Graceful ? Scenario.SkewTime : Scenario.MasterDownInterval;
    }

    private static readonly Daemon[] Daemons = [Daemon.Vigil, Daemon.Keepalived];

    public static int Run(int runs, bool withV2)
    {
        if (FailoverLab.KeepalivedSkipReason is { } reason)
        {
            Console.Error.WriteLine($"failover: cannot run here: {reason}");
            return 2;
        }
        var v3 = new Scenario(Version: 3, Interval: "100ms");
        var v2 = new Scenario(Version: 2, Interval: "1s");
        List<Case> cases = [new("v3 100 ms, crash", v3, false), new("v3 100 ms, graceful stop", v3, true)];
        if (withV2)
        {
            cases.AddRange([new("v2 1 s, crash", v2, false), new("v2 1 s, graceful stop", v2, true)]);
        }
        Console.WriteLine($"failover: ms from the old master's last advert (crash) or priority-0 advert (graceful) to the new master's first GARP; {runs} runs each");
        foreach (var @case in cases)
        {
            var takeovers = Daemons.ToDictionary(d => d, _ => new List<TakeoverFigures>());
            for (var run = 1; run <= runs; run++)
            {
                foreach (var daemon in Daemons)
                {
                    try
                    {
                        takeovers[daemon].Add(Measure(@case, daemon));
                    }
                    catch (LabException e)
                    {
                        Console.Error.WriteLine($"failover: {@case.Name}, {daemon} pair, run {run}: {e.Message}");
                        return 1;
                    }
                    var last = takeovers[daemon][^1];
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {@case.Name}, {daemon} pair, run {run}/{runs}: first GARP {last.Gap.TotalMilliseconds:F1} ms, first advert {last.AdvertGap?.TotalMilliseconds:F1} ms"));
                }
            }
            Report(@case, takeovers[Daemon.Vigil], takeovers[Daemon.Keepalived]);
        }
        return 0;
    }

    private static TakeoverFigures Measure(Case @case, Daemon daemon)
    {
        using var lab = new FailoverLab(@case.Scenario);
        var (ka1, _) = Takeover.StartPair(lab, daemon, daemon);
        var figures = Takeover.Measure(lab, () => Takeover.Stop(lab, daemon, "ka1", ka1, @case.Graceful), @case.Graceful);
        return figures;
    }

    private static void Report(Case @case, List<TakeoverFigures> vigilRuns, List<TakeoverFigures> keepalivedRuns)
    {
        var bound = @case.Bound.TotalMilliseconds;
        var vigil = Spread.Of(vigilRuns.Select(f => f.Gap.TotalMilliseconds));
        var keepalived = Spread.Of(keepalivedRuns.Select(f => f.Gap.TotalMilliseconds));
        string Line(string name, Spread garp, List<TakeoverFigures> runs) => string.Create(CultureInfo.InvariantCulture,
            $"  {name,-11} {garp.Format("ms", "0.0")}  (median {garp.Median - bound:+0.0;-0.0} ms from the bound; first advert median {Spread.Of(runs.Select(f => f.AdvertGap?.TotalMilliseconds ?? double.NaN)).Median:F1} ms)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{@case.Name} (RFC bound {bound:F1} ms), first GARP:"));
        Console.WriteLine(Line("vigil", vigil, vigilRuns));
        Console.WriteLine(Line("keepalived", keepalived, keepalivedRuns));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio vigil/keepalived: median {vigil.Median / keepalived.Median:F3} (min {vigil.Min / keepalived.Min:F3}, max {vigil.Max / keepalived.Max:F3})"));
    }
}
