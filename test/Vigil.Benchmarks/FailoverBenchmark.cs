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
            var gaps = Daemons.ToDictionary(d => d, _ => new List<double>());
            for (var run = 1; run <= runs; run++)
            {
                foreach (var daemon in Daemons)
                {
                    try
                    {
                        gaps[daemon].Add(Measure(@case, daemon));
                    }
                    catch (LabException e)
                    {
                        Console.Error.WriteLine($"failover: {@case.Name}, {daemon} pair, run {run}: {e.Message}");
                        return 1;
                    }
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {@case.Name}, {daemon} pair, run {run}/{runs}: {gaps[daemon][^1]:F1} ms"));
                }
            }
            Report(@case, Spread.Of(gaps[Daemon.Vigil]), Spread.Of(gaps[Daemon.Keepalived]));
        }
        return 0;
    }

    private static double Measure(Case @case, Daemon daemon)
    {
        using var lab = new FailoverLab(@case.Scenario);
        var (ka1, _) = Takeover.StartPair(lab, daemon, daemon);
        var figures = Takeover.Measure(lab, () => Takeover.Stop(lab, daemon, "ka1", ka1, @case.Graceful), @case.Graceful);
        return figures.Gap.TotalMilliseconds;
    }

    private static void Report(Case @case, Spread vigil, Spread keepalived)
    {
        var bound = @case.Bound.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{@case.Name} (RFC bound {bound:F1} ms):"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  vigil       {vigil.Format("ms", "0.0")}  (median {vigil.Median - bound:+0.0;-0.0} ms from the bound)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  keepalived  {keepalived.Format("ms", "0.0")}  (median {keepalived.Median - bound:+0.0;-0.0} ms from the bound)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio vigil/keepalived: median {vigil.Median / keepalived.Median:F3}, min {vigil.Min / keepalived.Min:F3}, max {vigil.Max / keepalived.Max:F3}"));
    }
}
