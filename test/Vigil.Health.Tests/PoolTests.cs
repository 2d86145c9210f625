using System.Collections.Concurrent;
using System.Net;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Health.Probes;

using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>
/// Health feeding the IPVS planner, with real HTTP servers and scheduled checks: a stopped server leaves the planned
/// pool (or stays at weight 0 with inhibitOnFailure) after its retries, and comes back when it answers again.
/// </summary>
public sealed class PoolTests
{
    private static readonly ILogger Quiet = new LoggerConfiguration().CreateLogger();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StoppedServer_LeavesThePlannedPool_AndComesBack(bool inhibit)
    {
        using var first = new SmallHttpServer();
        var second = new SmallHttpServer();
        var check = new HealthCheckSpec { HttpGet = new HttpCheckSpec(), ConnectTimeout = TimeSpan.FromMilliseconds(300), Retry = 2, DelayBeforeRetry = TimeSpan.FromMilliseconds(100) };
        RealServerSpec Real(int port) => new() { Address = IPAddress.Loopback, Port = port, InhibitOnFailure = inhibit, HealthCheck = check };
        var server = new VirtualServerSpec
        {
            Address = IPAddress.Parse("198.51.100.100"), Port = 80, DelayLoop = TimeSpan.FromMilliseconds(200), Scheduler = IpvsScheduler.Rr,
            RealServers = [Real(first.Port), Real(second.Port)],
        };
        var board = new HealthBoard(Quiet, TimeProvider.System);
        var changes = new ConcurrentQueue<RealServerState>();
        board.Changed += (_, state) => changes.Enqueue(state);
        await using var scheduler = await CheckScheduler.StartAsync();
        await scheduler.SyncAsync([.. server.RealServers.Select(r => new RealServerCheck("web", server, r, board))], TestContext.Current.CancellationToken);
        var running = DesiredIpvsTable.Build([server], IpvsTable.Empty); // both in the pool, as the kernel has them

        second.Dispose();
        Assert.True(await Poll.Until(() => changes.Any(c => !c.Up)), "the stopped server was not found down");
        var down = IpvsPlanner.Plan([server], running, board.Lookup);

        var gone = new IPEndPoint(IPAddress.Loopback, second.Port).ToString();
        var change = Assert.Single(down.Changes);
        Assert.Equal(inhibit ? $"~ destination {gone} of TCP 198.51.100.100:80: weight 1 -> 0" : $"- destination {gone} of TCP 198.51.100.100:80", change.ToString());
        Assert.StartsWith("connect: connection refused (2 attempts)", changes.Single(c => !c.Up).Reason, StringComparison.Ordinal);

        using var again = new SmallHttpServer(second.Port);
        Assert.True(await Poll.Until(() => changes.Count(c => c.Up) == 1), "the restarted server was not found up");
        Assert.True(IpvsPlanner.Plan([server], running, board.Lookup).IsEmpty);
    }

    /// <summary>
    /// keepalived's several checkers in one real server: it is down as soon as one fails (the reason names that check),
    /// stays down while any does, and is up again only when every one passes; each change is reported once. Under
    /// alpha it joins the pool only once every check has passed.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SeveralChecks_AllMustPass(bool alpha)
    {
        var real = new RealServerSpec
        {
            Address = IPAddress.Parse("198.51.100.21"), Port = 80,
            HealthChecks = [new HealthCheckSpec { Tcp = new TcpCheckSpec() }, new HealthCheckSpec { HttpGet = new HttpCheckSpec() }],
        };
        var server = new VirtualServerSpec { Address = IPAddress.Parse("198.51.100.100"), Port = 80, Alpha = alpha, RealServers = [real] };
        var board = new HealthBoard(Quiet, TimeProvider.System);
        var changes = new List<string>();
        board.Changed += (_, state) => changes.Add($"{(state.Up ? "up" : "down")}: {state.Reason}");
        using var tcp = new RealServerCheck("web", server, real, board, index: 0);
        using var http = new RealServerCheck("web", server, real, board, index: 1);
        Assert.NotEqual(tcp.Key, http.Key);
        Assert.Equal(tcp.RealKey, http.RealKey);
        bool InPool() => board.Lookup(server, real).Up;
        Assert.Equal(!alpha, InPool());

        board.Report(tcp, ProbeResult.Success("connected"));
        Assert.Equal(!alpha, InPool()); // under alpha, the http check has not passed yet
        board.Report(http, ProbeResult.Success("status 200"));
        Assert.True(InPool());
        Assert.Equal(alpha ? ["up: httpGet: status 200"] : [], changes);
        changes.Clear();

        board.Report(http, ProbeResult.Failure("status 503, expected 200"));
        board.Report(tcp, ProbeResult.Failure("connect: connection refused"));
        board.Report(http, ProbeResult.Success("status 200"));
        Assert.False(InPool()); // tcp still fails
        Assert.Equal("tcp: connect: connection refused", Assert.Single(board.States()).Reason);
        board.Report(tcp, ProbeResult.Success("connected"));

        Assert.True(InPool());
        Assert.Equal(["down: httpGet: status 503, expected 200", "up: tcp: connected"], changes);
    }
}
