using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;

namespace Vigil.Benchmarks;

/// <summary>
/// `health`: 10,000 TCP checks (delayLoop 1 s) against listeners on loopback, scheduled by the agent's Quartz.NET
/// scheduler for 30 s: checks per second achieved, CPU time used and the process's peak memory. Then keepalived's own
/// checker (`keepalived -C`) is given the same targets as TCP_CHECKs for the same time, counted by the listeners'
/// accepts; where it refuses (it needs IPVS in the kernel) its reason is printed instead.
/// </summary>
internal static class HealthBenchmark
{
    /// <summary>
    /// Both checkers in the guest kernel, where keepalived's can start (it needs IPVS): slower than
    /// the host (user-mode Linux has one CPU and traps every system call; QEMU without KVM emulates the CPU); the two
    /// side by side are the point.
    /// </summary>
    public static int RunInGuest(int checks, TimeSpan duration) =>
        InGuest.Run("health", $"{checks} checks, {duration.TotalSeconds:0} s each for Vigil and keepalived -C",
            $"--checks {checks} --seconds {duration.TotalSeconds:0}", TimeSpan.FromMinutes(10) + 3 * duration, "ip_vs");

    public static int Run(int checks, TimeSpan duration)
    {
        // 100 listeners, 100 real servers each (by port reuse across virtual servers), in a process of their own: the
        // checks, not the listeners, are measured, on both sides.
        using var listeners = new HealthListeners(100);
        var vigil = Measure(checks, duration, listeners);
        var keepalived = CompareKeepalived(checks, duration, listeners);
        if (vigil.PerCheck is { } ours && keepalived is { } theirs)
        {
            Console.WriteLine($"  CPU per completed check, listeners excluded: Vigil {ours.TotalMicroseconds:0.0} µs, keepalived {theirs.TotalMicroseconds:0.0} µs " +
                $"(ratio {ours / theirs:0.00})");
        }
        return vigil.ExitCode;
    }

    private static (int ExitCode, TimeSpan? PerCheck) Measure(int count, TimeSpan duration, HealthListeners listeners)
    {
        var ports = listeners.Ports;
        var board = new HealthBoard(new LoggerConfiguration().CreateLogger(), TimeProvider.System);
        var down = 0;
        board.Changed += (_, state) => { if (!state.Up) { Interlocked.Increment(ref down); } };
        var runs = new RunCounter();
        var checks = new List<IScheduledCheck>(count);
        for (var i = 0; i < count; i++)
        {
            var real = new RealServerSpec
            {
                Address = IPAddress.Loopback,
                Port = ports[i % ports.Count],
                HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec(), ConnectTimeout = TimeSpan.FromSeconds(2) },
            };
            var server = new VirtualServerSpec { Address = IPAddress.Parse("2001:db8::1"), Port = 1 + i, DelayLoop = TimeSpan.FromSeconds(1), RealServers = [real] };
            checks.Add(new CountedCheck(new RealServerCheck($"vs-{i}", server, real, board), runs));
        }
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var scheduler = CheckScheduler.StartAsync(maxConcurrency: 500).GetAwaiter().GetResult();
        TimeSpan synced, steady, cpu, listenerCpu;
        long completed;
        try
        {
            scheduler.SyncAsync(checks).GetAwaiter().GetResult();
            synced = clock.Elapsed;
            // Counted from when every check is scheduled: the steady state, as keepalived's is counted once it runs.
            process.Refresh();
            var (cpuBefore, runsBefore, listenersBefore) = (process.TotalProcessorTime, runs.Count, listeners.Sample().Cpu);
            Thread.Sleep(duration);
            process.Refresh();
            (cpu, completed, listenerCpu) = (process.TotalProcessorTime - cpuBefore, runs.Count - runsBefore, listeners.Sample().Cpu - listenersBefore);
            steady = clock.Elapsed - synced;
        }
        finally
        {
            scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        TimeSpan? perCheck = completed > 0 ? cpu / completed : null;
        Console.WriteLine($"health: {count} TCP checks, delayLoop 1 s, against 100 listeners on loopback (another process), for {duration.TotalSeconds:0} s");
        Console.WriteLine($"  scheduled in {synced.TotalMilliseconds:0} ms; then {completed} runs in {steady.TotalSeconds:0.0} s = {completed / steady.TotalSeconds:0} checks/s (ideal {count}/s)");
        Console.WriteLine($"  CPU {cpu.TotalSeconds:0.0} s = {100 * cpu.TotalSeconds / steady.TotalSeconds:0} % of one core, {(perCheck ?? TimeSpan.Zero).TotalMicroseconds:0.0} µs per check; " +
            $"peak working set {process.PeakWorkingSet64 / 1024.0 / 1024.0:0} MiB (the listeners meanwhile: {100 * listenerCpu.TotalSeconds / steady.TotalSeconds:0} % of one core)");
        Console.WriteLine($"  servers found down: {down} (expected 0)");
        return (down == 0 ? 0 : 1, perCheck);
    }

    /// <summary>
    /// keepalived's checker on the same targets: TCP_CHECKs, delay_loop 1, counted by the listeners' accepts. Its CPU
    /// per completed check, or null when it did not run.
    /// </summary>
    private static TimeSpan? CompareKeepalived(int count, TimeSpan duration, HealthListeners listeners)
    {
        var ports = listeners.Ports;
        var keepalived = "/usr/sbin/keepalived";
        if (!File.Exists(keepalived))
        {
            Console.WriteLine("  keepalived -C: not installed (test/run installs it)");
            return null;
        }
        var folder = Directory.CreateTempSubdirectory("vigil-health-bench-");
        try
        {
            var conf = new System.Text.StringBuilder("global_defs {\n  router_id bench\n}\n");
            for (var i = 0; i < count; i++)
            {
                conf.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"virtual_server 203.0.113.1 {1 + i} {{\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 127.0.0.1 {ports[i % ports.Count]} {{\n    TCP_CHECK {{\n      connect_timeout 2\n    }}\n  }}\n}}\n");
            }
            var file = Path.Combine(folder.FullName, "keepalived.conf");
            File.WriteAllText(file, conf.ToString());
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var info = new ProcessStartInfo(keepalived, ["-C", "-n", "-l", "-D", "-f", file, "-p", Path.Combine(folder.FullName, "k.pid"), "-c", Path.Combine(folder.FullName, "c.pid")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            bool Refused() => output.Any(l => l.Contains("Can't initialize ipvs", StringComparison.Ordinal));
            var (started, _) = listeners.Sample();
            var clock = Stopwatch.StartNew();
            // Its start-up (reading 10,000 virtual servers, scheduling the first checks) is not counted, as Vigil's
            // scheduling is not: from when its checker process exists and the first checks arrive.
            Process? child = null;
            while (clock.Elapsed < duration && !process.HasExited && !Refused() && (child is null || listeners.Sample().Accepted == started))
            {
                Thread.Sleep(100);
                child ??= CheckerOf(Path.Combine(folder.FullName, "c.pid"));
            }
            var (before, listenersBefore) = listeners.Sample();
            var cpuBefore = (child?.TotalProcessorTime ?? TimeSpan.Zero) + process.TotalProcessorTime;
            clock.Restart();
            while (clock.Elapsed < duration && !process.HasExited && !Refused())
            {
                Thread.Sleep(100);
            }
            if (process.HasExited || Refused() || child is null)
            {
                if (!process.HasExited)
                {
                    process.WaitForExit(TimeSpan.FromSeconds(30)); // it shuts its services down first
                }
                // keepalived prefixes each line with the date and a colon.
                var reason = (output.FirstOrDefault(l => l.Contains("Can't initialize ipvs", StringComparison.Ordinal))
                    ?? output.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? $"exit {process.ExitCode}").Split(": ", 2)[^1];
                Console.WriteLine($"  keepalived -C on the same targets: refused after {clock.Elapsed.TotalMilliseconds:0} ms: {reason.Trim()}");
                return null;
            }
            var (after, listenersAfter) = listeners.Sample();
            var runs = after - before;
            var elapsed = clock.Elapsed;
            var listenerCpu = listenersAfter - listenersBefore;
            child.Refresh();
            process.Refresh();
            var cpu = child.TotalProcessorTime + process.TotalProcessorTime - cpuBefore;
            var peak = child.PeakWorkingSet64;
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Console.WriteLine($"  keepalived -C on the same targets: {runs} checks in {elapsed.TotalSeconds:0.0} s = {runs / elapsed.TotalSeconds:0} checks/s; " +
                $"CPU {100 * cpu.TotalSeconds / elapsed.TotalSeconds:0} % of one core, {(runs > 0 ? cpu / runs : TimeSpan.Zero).TotalMicroseconds:0.0} µs per check; " +
                $"peak working set {peak / 1024.0 / 1024.0:0} MiB (the listeners meanwhile: {100 * listenerCpu.TotalSeconds / elapsed.TotalSeconds:0} % of one core)");
            return runs > 0 ? cpu / runs : null;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>keepalived's checker child, once its pid file names it.</summary>
    private static Process? CheckerOf(string pidFile)
    {
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? Process.GetProcessById(pid) : null;
        }
        catch (ArgumentException)
        {
            return null; // written, but the process is not there (yet or any more)
        }
    }

    private sealed class RunCounter
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>A check that counts its runs.</summary>
    private sealed class CountedCheck(RealServerCheck inner, RunCounter counter) : IScheduledCheck
    {
        public string Key => inner.Key;

        public TimeSpan Interval => inner.Interval;

        public bool SameAs(IScheduledCheck other) => inner.SameAs(other);

        public async Task RunAsync(CancellationToken cancellation)
        {
            await inner.RunAsync(cancellation).ConfigureAwait(false);
            counter.Add();
        }

        public void Dispose() => inner.Dispose();
    }
}
