using System.Globalization;
using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Benchmarks;

/// <summary>
/// `soak`: many instances between two nodes for a long time (100 at 100 ms adverts for 30 minutes by default), both
/// daemons sampled every 10 s: resident memory and CPU with their least-squares slopes, and false takeovers.
/// </summary>
internal static class SoakBenchmark
{
    public static int Run(int instances, TimeSpan duration, bool withKeepalived)
    {
        if ((withKeepalived ? FailoverLab.KeepalivedSkipReason : FailoverLab.SkipReason) is { } reason)
        {
            Console.Error.WriteLine($"soak: cannot run here: {reason}");
            return 2;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {instances} instances at 100 ms adverts between ka1 (master of all) and ka2 for {duration.TotalMinutes:0.#} min, sampled every 10 s"));
        var exit = 0;
        foreach (var daemon in withKeepalived ? new[] { Daemon.Vigil, Daemon.Keepalived } : [Daemon.Vigil])
        {
            var outcome = Soak.Run(daemon, instances, "100ms", duration, TimeSpan.FromSeconds(10));
            foreach (var node in new[] { "ka1", "ka2" })
            {
                var first = outcome.Samples.FirstOrDefault(s => s.Node == node);
                if (first is null)
                {
                    continue;
                }
                var last = outcome.Last(node);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {daemon,-10} {node}: resident {first.ResidentKib / 1024.0:F1} -> {last.ResidentKib / 1024.0:F1} MiB (slope {outcome.ResidentSlope(node):+0.00;-0.00} MiB/h); CPU mean {outcome.MeanCpu(node):F2} % of one core (slope {outcome.CpuSlope(node):+0.00;-0.00} points/h)"));
            }
            Console.WriteLine($"  {daemon,-10} false takeovers: {outcome.FalseTakeovers}; {(outcome.Broken.Count == 0 ? "all rules held" : string.Join("; ", outcome.Broken))}");
            exit = outcome.Broken.Count == 0 ? exit : 1;
        }
        return exit;
    }
}
