using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;

namespace Vigil.Benchmarks;

/// <summary>
/// `health`: 10,000 TCP checks (delayLoop 1 s) against listeners on loopback, scheduled by the agent's Quartz.NET
/// scheduler for 30 s: checks per second achieved, CPU time used and the process's peak memory.
/// </summary>
internal static class HealthBenchmark
{
    public static int Run(int checks, TimeSpan duration)
    {
        // 100 listeners, 100 real servers each (by port reuse across virtual servers): the checks, not the listeners, are measured.
        var listeners = Enumerable.Range(0, 100).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var listener in listeners)
        {
            listener.Start(backlog: 4096);
        }
        using var accepting = new CancellationTokenSource();
        var acceptors = listeners.Select(l => Task.Run(async () =>
        {
            while (!accepting.IsCancellationRequested)
            {
                try
                {
                    (await l.AcceptSocketAsync(accepting.Token)).Dispose();
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        })).ToList();
        try
        {
            return Measure(checks, duration, [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)]);
        }
        finally
        {
            accepting.Cancel();
            listeners.ForEach(l => l.Stop());
            Task.WaitAll([.. acceptors], TimeSpan.FromSeconds(5));
        }
    }

    private static int Measure(int count, TimeSpan duration, IReadOnlyList<int> ports)
    {
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
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var scheduler = CheckScheduler.StartAsync(maxConcurrency: 500).GetAwaiter().GetResult();
        TimeSpan synced, elapsed;
        long completed;
        try
        {
            scheduler.SyncAsync(checks).GetAwaiter().GetResult();
            synced = clock.Elapsed;
            Thread.Sleep(duration);
            completed = runs.Count;
            elapsed = clock.Elapsed;
        }
        finally
        {
            scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine($"health: {count} TCP checks, delayLoop 1 s, against 100 listeners on loopback, for {duration.TotalSeconds:0} s");
        Console.WriteLine($"  scheduled in {synced.TotalMilliseconds:0} ms; {completed} runs in {elapsed.TotalSeconds:0.0} s = {completed / elapsed.TotalSeconds:0} checks/s (ideal {count}/s)");
        Console.WriteLine($"  CPU {cpu.TotalSeconds:0.0} s over {elapsed.TotalSeconds:0.0} s = {100 * cpu.TotalSeconds / elapsed.TotalSeconds:0} % of one core; peak working set {process.PeakWorkingSet64 / 1024.0 / 1024.0:0} MiB");
        Console.WriteLine($"  servers found down: {down} (expected 0)");
        return down == 0 ? 0 : 1;
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
