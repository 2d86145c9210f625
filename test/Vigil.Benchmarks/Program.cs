using System.Diagnostics;
using System.Globalization;
using Vigil.Benchmarks;
using Vigil.Source;

// vigil benchmarks: prints figures, asserts nothing.
// Usage: Vigil.Benchmarks [load] [--runs N] [--keep DIR]   (--keep writes the generated config to DIR and leaves it there)
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var runs = int.Parse(Option("--runs") ?? "5", CultureInfo.InvariantCulture);
var keep = Option("--keep");
var scenario = args.FirstOrDefault() is { } first && !first.StartsWith('-') ? first : "load";
if (scenario != "load")
{
    Console.Error.WriteLine($"unknown benchmark '{scenario}'; available: load");
    return 2;
}

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
    var warm = times.Skip(1).Order().ToList();
    if (warm.Count > 0)
    {
        Console.WriteLine($"load+validate (warm, {warm.Count} runs): min {warm[0]:0} ms, median {warm[warm.Count / 2]:0} ms, max {warm[^1]:0} ms");
    }
    Console.WriteLine($"cold (first run in this process): {times[0]:0} ms");
    var cli = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        cli.Add(TimeValidateProcess(directory));
    }
    cli.Sort();
    Console.WriteLine($"`vigil validate` as a process, start to exit ({runs} runs): min {cli[0]:0} ms, median {cli[cli.Count / 2]:0} ms, max {cli[^1]:0} ms");
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
