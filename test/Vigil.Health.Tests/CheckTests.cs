using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Health.Probes;

using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>keepalived's check semantics (retries, first failure and recovery), and checks scheduled by Quartz.NET against real listeners.</summary>
public sealed class CheckTests
{
    private static readonly ILogger Quiet = new LoggerConfiguration().CreateLogger();

    private static (VirtualServerSpec Server, RealServerSpec Real) Tcp(int port, int retry = 1, string delayLoop = "200ms") =>
        Web(new RealServerSpec
        {
            Address = IPAddress.Loopback,
            Port = port,
            HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec(), Retry = retry, ConnectTimeout = TimeSpan.FromMilliseconds(300), DelayBeforeRetry = TimeSpan.FromMilliseconds(100) },
        }, delayLoop);

    private static (VirtualServerSpec, RealServerSpec) Web(RealServerSpec real, string delayLoop) =>
        (new VirtualServerSpec { Address = IPAddress.Parse("198.51.100.100"), Port = 80, DelayLoop = Durations.Parse(delayLoop), RealServers = [real] }, real);

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Run_FailingServer_IsTriedRetryTimes_WithTheDelayBetween()
    {
        var (server, real) = Tcp(ClosedPort(), retry: 3);
        var delays = new List<TimeSpan>();
        using var check = new RealServerCheck("web", server, real, new HealthBoard(Quiet, TimeProvider.System), (delay, _) => { delays.Add(delay); return Task.CompletedTask; });

        var result = await check.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeResult.Failure("connect: connection refused (3 attempts)"), result);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)], delays);
    }

    /// <summary>
    /// keepalived's per-checker connect_ip, delay_loop and warmup: a check goes where connect_ip says (here a listener
    /// on loopback while the real server's own address is unreachable), at its own period, first within its warmup.
    /// </summary>
    [Fact]
    public async Task ConnectIp_DelayLoop_AndWarmup_AreTheChecksOwn()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var real = new RealServerSpec
        {
            Address = IPAddress.Parse("203.0.113.77"), Port = port,
            HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec(), ConnectIp = IPAddress.Loopback, DelayLoop = TimeSpan.FromSeconds(3), Warmup = TimeSpan.Zero },
        };
        var (server, _) = Web(real, "60s");
        using var check = new RealServerCheck("web", server, real, new HealthBoard(Quiet, TimeProvider.System));

        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.Zero), (check.Interval, check.FirstWithin));
        Assert.Equal(new ProbeTarget(IPAddress.Loopback, port), check.Target);
        Assert.True((await check.ProbeAsync(TestContext.Current.CancellationToken)).Up);

        using var plain = new RealServerCheck("web", server, real with { HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec() } }, new HealthBoard(Quiet, TimeProvider.System));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), IPAddress.Parse("203.0.113.77")), (plain.Interval, plain.FirstWithin, plain.Target.Address));
    }

    [Fact]
    public void Board_ReportsChangesOnly_AndFeedsThePlanner()
    {
        var (server, real) = Tcp(ClosedPort());
        var board = new HealthBoard(Quiet, TimeProvider.System);
        using var check = new RealServerCheck("web", server, real, board);
        var changes = new List<RealServerState>();
        board.Changed += (_, state) => changes.Add(state);

        board.Report(check, ProbeResult.Success());             // up, as assumed: no change
        board.Report(check, ProbeResult.Failure("status 503")); // first failure
        board.Report(check, ProbeResult.Failure("status 503")); // still down: nothing new
        Assert.Equal(RealServerHealth.Failed, board.Lookup(server, real));
        board.Report(check, ProbeResult.Success());             // recovery

        Assert.Equal([(false, "status 503"), (true, "ok")], changes.Select(c => (c.Up, c.Reason)));
        Assert.Equal(RealServerHealth.Healthy, board.Lookup(server, real));
        Assert.Equal(RealServerHealth.Healthy, board.Lookup(server, real with { Port = 81 })); // never checked: up
    }

    [Fact]
    public async Task Scheduler_RunsEachCheck_FollowsTheServer_AndSyncKeepsUnchangedChecks()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (server, real) = Tcp(port);
        var (other, otherReal) = Tcp(ClosedPort());
        var board = new HealthBoard(Quiet, TimeProvider.System);
        var changes = new ConcurrentQueue<RealServerState>();
        board.Changed += (_, state) => changes.Enqueue(state);
        await using var scheduler = await CheckScheduler.StartAsync();
        var kept = new RealServerCheck("web", server, real, board);

        await scheduler.SyncAsync([kept, new RealServerCheck("other", other, otherReal, board)], TestContext.Current.CancellationToken);

        Assert.True(await Poll.Until(() => changes.Any(c => c.VirtualServer == "other" && !c.Up)), "the closed port was not found down");
        Assert.True(await Poll.Until(() => board.States().Any(s => s.VirtualServer == "web" && s.Up)), "the listener was not checked");
        listener.Stop();
        Assert.True(await Poll.Until(() => changes.Any(c => c.VirtualServer == "web" && !c.Up && c.Reason == "connect: connection refused")), "the stopped listener was not found down");

        // A new configuration without "other": it is removed, "web" (unchanged) keeps its job and its check.
        await scheduler.SyncAsync([new RealServerCheck("web", server, real, board)], TestContext.Current.CancellationToken);
        board.Keep(scheduler.Scheduled.ToHashSet());
        Assert.Equal([kept.Key], scheduler.Scheduled);
        Assert.Same(kept, scheduler.Current(kept.Key));
        Assert.DoesNotContain(board.States(), s => s.VirtualServer == "other");
    }

    [Fact]
    public async Task Scheduler_ACheckThatThrows_IsLogged_AndRunsAgain()
    {
        var events = new LogEvents();
        await using var scheduler = await CheckScheduler.StartAsync(events.Logger);
        using var broken = new ThrowingCheck();

        await scheduler.SyncAsync([broken], TestContext.Current.CancellationToken);

        Assert.True(await Poll.Until(() => broken.Runs >= 2), "the check did not run again after throwing");
        Assert.True(events.Contains("check broken failed unexpectedly: a defect in the check"), events.ToString());
    }

    private sealed class ThrowingCheck : IScheduledCheck
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public string Key => "broken";

        public TimeSpan Interval => TimeSpan.FromMilliseconds(100);

        public bool SameAs(IScheduledCheck other) => ReferenceEquals(this, other);

        public Task RunAsync(CancellationToken cancellation)
        {
            Interlocked.Increment(ref _runs);
            throw new InvalidOperationException("a defect in the check");
        }

        public void Dispose()
        {
        }
    }
}
