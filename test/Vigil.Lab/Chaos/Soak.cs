using System.Globalization;
using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>A node's daemon, measured once: resident memory, and CPU since the sample before (percent of one core).</summary>
public sealed record SoakSample(double Seconds, string Node, long ResidentKib, double CpuPercent);

/// <summary>What a long run of many instances did: the samples, the false takeovers, and each rule that did not hold.</summary>
public sealed record SoakOutcome(Daemon Daemon, int Instances, string Interval, TimeSpan Duration, IReadOnlyList<SoakSample> Samples, int FalseTakeovers,
    IReadOnlyList<string> Broken, string Explanation)
{
    /// <summary>Least-squares slope of the node's resident memory, in MiB per hour (the first sample, warm-up, left out).</summary>
    public double ResidentSlope(string node) => Slope(node, s => s.ResidentKib / 1024.0);

    /// <summary>Least-squares slope of the node's CPU, in points of one core's percent per hour.</summary>
    public double CpuSlope(string node) => Slope(node, s => s.CpuPercent);

    public SoakSample Last(string node) => Samples.Last(s => s.Node == node);

    public double MeanCpu(string node) => Samples.Where(s => s.Node == node).Skip(1).DefaultIfEmpty(Last(node)).Average(s => s.CpuPercent);

    private double Slope(string node, Func<SoakSample, double> value)
    {
        var points = Samples.Where(s => s.Node == node).Skip(1).Select(s => (X: s.Seconds / 3600, Y: value(s))).ToList();
        if (points.Count < 2)
        {
            return 0;
        }
        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var spread = points.Sum(p => (p.X - mx) * (p.X - mx));
        return spread == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / spread;
    }
}

/// <summary>
/// Many instances between the two nodes for a long time (ka1 priority 100 master of all, ka2 80 backup of all), both
/// daemons sampled from /proc at a fixed period: memory and CPU must stay flat, and ka2 must never advertise.
/// </summary>
public static class Soak
{
    public static SoakOutcome Run(Daemon daemon, int instances, string interval, TimeSpan duration, TimeSpan every)
    {
        using var lab = new FailoverLab(new Scenario(Version: 3, Interval: interval));
        WriteInstances(lab.ConfigFolder, instances);
        var broken = new List<string>();
        var ka1 = Takeover.Start(lab, daemon, "ka1");
        LabException.ThrowUnless(FailoverLab.WaitUntil(() => Enumerable.Range(1, instances).All(i => lab.Lab.Holds(lab.Ka1, Vip(i))), TimeSpan.FromSeconds(60)),
            $"ka1 did not become master of all {instances} instances\n{lab.Output("ka1")}");
        var ka2 = Takeover.Start(lab, daemon, "ka2");
        LabException.ThrowUnless(FailoverLab.WaitUntil(() => Backups(lab, daemon) >= instances, TimeSpan.FromSeconds(60)),
            $"ka2 did not become backup of all {instances} instances\n{lab.Output("ka2")}");
        var since = Takeover.Now();
        var pids = new Dictionary<string, int[]> { ["ka1"] = Pids(lab, daemon, "ka1", ka1), ["ka2"] = Pids(lab, daemon, "ka2", ka2) };
        var samples = new List<SoakSample>();
        var cpu = pids.ToDictionary(p => p.Key, p => p.Value.Sum(ProcessFigures.CpuNanoseconds));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        while (clock.Elapsed < duration)
        {
            // The period is the measurement itself, not a wait for a condition.
            Thread.Sleep(every);
            var now = clock.Elapsed;
            foreach (var (node, ids) in pids)
            {
                if (ids.Any(id => !File.Exists($"/proc/{id}/stat")))
                {
                    broken.Add($"{node}'s {daemon} exited during the soak");
                    return new(daemon, instances, interval, duration, samples, 0, broken, lab.Explain());
                }
                var spent = ids.Sum(ProcessFigures.CpuNanoseconds);
                samples.Add(new(now.TotalSeconds, node, ids.Sum(ProcessFigures.ResidentKib), (spent - cpu[node]) / 1e7 / (now - last).TotalSeconds));
                cpu[node] = spent;
            }
            last = now;
        }
        var falseTakeovers = lab.Wire.Events.Count(e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.GratuitousArp && e.Time > since);
        if (falseTakeovers > 0)
        {
            broken.Add($"ka2 announced {falseTakeovers} VIP(s) during the soak");
        }
        var missing = Enumerable.Range(1, instances).Where(i => !lab.Lab.Holds(lab.Ka1, Vip(i))).ToList();
        if (missing.Count > 0)
        {
            broken.Add($"ka1 lost {missing.Count} VIP(s) during the soak, e.g. {Vip(missing[0])}");
        }
        return new(daemon, instances, interval, duration, samples, falseTakeovers, broken, broken.Count == 0 ? "" : lab.Explain());
    }

    private static string Vip(int instance) => string.Create(CultureInfo.InvariantCulture, $"203.0.113.{instance}");

    /// <summary>How many instances ka2 runs as backup: its status for Vigil, its log for keepalived.</summary>
    private static int Backups(FailoverLab lab, Daemon daemon)
    {
        if (daemon == Daemon.Keepalived)
        {
            return lab.Output("ka2").Split('\n').Count(l => l.Contains("Entering BACKUP STATE", StringComparison.Ordinal));
        }
        return lab.TypedStatus("ka2")?.Instances.Count(i => i.State == "Backup") ?? 0;
    }

    private static int[] Pids(FailoverLab lab, Daemon daemon, string node, System.Diagnostics.Process process) => daemon == Daemon.Vigil
        ? [process.Id]
        : [process.Id, int.Parse(File.ReadAllText(lab.KeepalivedVrrpPidFile(node)).Trim(), CultureInfo.InvariantCulture)];

    /// <summary><paramref name="count"/> instances on VRIDs 1.., ka1 100 and ka2 80, each with one VIP in 203.0.113.0/24.</summary>
    private static void WriteInstances(string folder, int count)
    {
        File.Delete(Path.Combine(folder, "vi_1.yaml"));
        using var all = new StringWriter(CultureInfo.InvariantCulture);
        for (var i = 1; i <= count; i++)
        {
            all.Write(string.Create(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: vigil/v1
                kind: VrrpInstance
                metadata:
                  name: soak_{i}
                spec:
                  virtualRouterId: {i}
                  members:
                    - node: ka1
                      priority: 100
                    - node: ka2
                      priority: 80
                  virtualAddresses:
                    - address: {Vip(i)}/24

                """));
        }
        File.WriteAllText(Path.Combine(folder, "soak.yaml"), all.ToString());
    }
}
