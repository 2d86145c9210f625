using System.Diagnostics;
using System.Globalization;
using Vigil.Lab;

namespace Vigil.Benchmarks;

/// <summary>
/// `idle`: what a node costs when nothing happens. One node of the namespace lab runs ten VRRP instances at 1 s adverts
/// (each the only member, so each is master and advertises), first as a Vigil agent, then as Debian's keepalived, and
/// the CPU time both spend in the same window is read from /proc (user and system time).
/// </summary>
internal static class IdleBenchmark
{
    private const int Instances = 10;

    public static int Run(TimeSpan window)
    {
        if (FailoverLab.KeepalivedSkipReason is { } reason)
        {
            Console.Error.WriteLine($"idle: cannot run here: {reason}");
            return 2;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle: {Instances} VRRP instances at 1 s adverts, all master, on one node; CPU time over {window.TotalSeconds:0} s after all are master"));
        foreach (var daemon in new[] { Daemon.Vigil, Daemon.Keepalived })
        {
            using var lab = new FailoverLab(new Scenario(Version: 3, Interval: "1s"));
            WriteInstances(lab.ConfigFolder);
            var process = daemon == Daemon.Vigil ? lab.StartVigil("ka1") : lab.StartKeepalived("ka1");
            if (!WaitForAdverts(lab, TimeSpan.FromSeconds(30)))
            {
                Console.Error.WriteLine($"idle: {daemon}: not all {Instances} instances advertised within 30 s\n{lab.Output("ka1")}");
                return 1;
            }
            int[] pids = daemon == Daemon.Vigil ? [process.Id] : [process.Id, int.Parse(File.ReadAllText(lab.KeepalivedVrrpPidFile("ka1")).Trim(), CultureInfo.InvariantCulture)];
            var before = pids.Sum(ProcessFigures.CpuNanoseconds);
            var threadsBefore = pids.SelectMany(ProcessFigures.ThreadTicks).ToDictionary(t => t.Key, t => t.Value);
            var started = Stopwatch.GetTimestamp();
            // The window is the measurement itself, not a wait for a condition.
            Thread.Sleep(window);
            var spent = pids.Sum(ProcessFigures.CpuNanoseconds) - before;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var rss = pids.Sum(ProcessFigures.ResidentKib);
            var busiest = pids.SelectMany(ProcessFigures.ThreadTicks).Select(t => (t.Key, Ticks: t.Value - threadsBefore.GetValueOrDefault(t.Key)))
                .Where(t => t.Ticks > 0).OrderByDescending(t => t.Ticks).Take(5).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {daemon,-10} {spent / 1e6,8:F1} ms CPU in {elapsed.TotalSeconds:F1} s = {spent / 1e7 / elapsed.TotalSeconds,6:F3} % of one core; resident {rss / 1024.0:F1} MiB ({pids.Length} process(es))"));
            Console.WriteLine($"             busiest threads (ms): {string.Join(", ", busiest.Select(t => $"{t.Key} {t.Ticks * 10}"))}");
        }
        return 0;
    }

    /// <summary>The lab's vi_1 for ka1 alone, and nine more like it on VRIDs 52-60.</summary>
    private static void WriteInstances(string folder)
    {
        File.Delete(Path.Combine(folder, "vi_1.yaml"));
        for (var i = 1; i <= Instances; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"vi_{i}.yaml"), string.Create(CultureInfo.InvariantCulture, $"""
                apiVersion: vigil/v1
                kind: VrrpInstance
                metadata:
                  name: vi_{i}
                spec:
                  virtualRouterId: {50 + i}
                  members:
                    - node: ka1
                      priority: 100
                  virtualAddresses:
                    - address: 198.51.100.{100 + i}/24
                """));
        }
    }

    /// <summary>Every VIP held and two rounds of adverts after that: all instances are master and the start-up is over.</summary>
    private static bool WaitForAdverts(FailoverLab lab, TimeSpan timeout)
    {
        int Adverts() => lab.Wire.Events.Count(e => e.Kind == WireKind.Advert && e.Priority > 0);
        if (!FailoverLab.WaitUntil(() => Enumerable.Range(1, Instances).All(i => lab.Lab.Holds(lab.Ka1, $"198.51.100.{100 + i}")), timeout))
        {
            return false;
        }
        var held = Adverts();
        return FailoverLab.WaitUntil(() => Adverts() >= held + (2 * Instances), timeout);
    }
}
