using System.Diagnostics;
using Vigil.Source;

namespace Vigil.Benchmarks;

/// <summary>`load`: loads and validates a large generated cluster folder, in process and as `vigil validate`.</summary>
internal static class LoadBenchmark
{
    public static int Run(int runs, string? keep)
    {
        var directory = keep ?? Path.Combine(Path.GetTempPath(), $"vigil-bench-{Environment.ProcessId}");
        try
        {
            var (files, bytes) = LargeConfig.Write(directory, instances: 1000, servers: 1000, realsPerServer: 10, files: 50);
            Console.WriteLine($"load: 1000 VrrpInstances, 1000 VirtualServers, 10000 real servers in {files} files ({bytes / 1024.0 / 1024.0:0.0} MiB)");
            var times = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                var result = new DesiredStateLoader().LoadPath(directory);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                if (!result.IsValid)
                {
                    Console.Error.WriteLine($"the generated config is invalid: {result.Diagnostics[0]}");
                    return 1;
                }
                times.Add(elapsed);
                Console.WriteLine($"  run {run + 1}{(run == 0 ? " (cold: schemas loaded, code jitted)" : "")}: {elapsed:0} ms, {result.Documents} documents, {allocated / 1024.0 / 1024.0:0} MiB allocated");
            }
            if (times.Count > 1)
            {
                Console.WriteLine($"load+validate (warm, {times.Count - 1} runs): {Spread.Of(times.Skip(1)).Format("ms")}");
            }
            Console.WriteLine($"cold (first run in this process): {times[0]:0} ms");
            if (TimePolicies(directory, times.Skip(1).ToList(), runs) is { } failed)
            {
                return failed;
            }
            var cli = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                cli.Add(TimeValidateProcess(directory));
            }
            Console.WriteLine($"`vigil validate` as a process, start to exit ({runs} runs): {Spread.Of(cli).Format("ms")}");
            Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0:0} MiB");
            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The same tree under policies: the shipped baseline (7 rules, each over every matching document), folder
    /// ownership of the five team folders, and a rule with a pattern; printed beside the load without them.
    /// </summary>
    static int? TimePolicies(string directory, List<double> without, int runs)
    {
        var policies = Path.Combine(directory, "policies");
        Directory.CreateDirectory(policies);
        File.WriteAllText(Path.Combine(policies, "bench.yaml"), """
            apiVersion: vigil/v1
            kind: Policy
            metadata:
              name: bench
            spec:
              include: [baseline]
              parameters:
                vipPrefixes: ["2001:db8:100::/48"]
              owners:
                - folder: team-*
                  virtualRouterIds: ["1-250"]
                  addresses: ["2001:db8::/32"]
                  interfaces: [eth0, eth1, eth2, eth3]
              rules:
                - name: instance-names
                  match:
                    kinds: [VrrpInstance]
                  expression: "name.matches('^vi-[0-9]+$') && object.spec.members.all(m, m.priority < 255)"
                  message: instance names are vi-NUMBER
            """);
        try
        {
            var with = new List<double>();
            for (var run = 0; run < Math.Max(runs, 2); run++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = new DesiredStateLoader().LoadPath(directory);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!result.IsValid || result.Diagnostics.FirstOrDefault(d => d.Rule.StartsWith("policy", StringComparison.Ordinal) || d.Rule == "ownership") is not null)
                {
                    Console.Error.WriteLine($"the generated config fails its policies: {result.Diagnostics.FirstOrDefault(d => d.Severity == Vigil.Core.Validation.Severity.Error)}");
                    return 1;
                }
                with.Add(elapsed);
            }
            var warm = with.Skip(1).ToList();
            Console.WriteLine($"load+validate with policies (baseline, ownership of 5 folders, a pattern rule; warm, {warm.Count} runs): {Spread.Of(warm).Format("ms")}");
            if (without.Count > 0)
            {
                Console.WriteLine($"policies' share: {Spread.Of(warm).Median - Spread.Of(without).Median:0} ms of the median, over 2,001 documents");
            }
            return null;
        }
        finally
        {
            Directory.Delete(policies, recursive: true);
        }
    }

    static double TimeValidateProcess(string directory)
    {
        var vigil = Path.Combine(AppContext.BaseDirectory, "vigil.dll");
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(new ProcessStartInfo("dotnet", [vigil, "validate", directory, "--output", "json"]) { RedirectStandardOutput = true })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"vigil validate exited {process.ExitCode}");
        }
        return elapsed;
    }
}
