using System.Collections.Concurrent;
using System.Net;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>
/// keepalived's quorum notifications with hysteresis, from plain values, and alpha with real checks: a server that
/// is not checked yet is out of the pool under alpha, silently, and joins after its first success.
/// </summary>
public sealed class QuorumTests
{
    private static readonly ILogger Quiet = new LoggerConfiguration().CreateLogger();

    private static RealServerSpec Real(int last, int weight) => new() { Address = IPAddress.Parse($"203.0.113.{last}"), Port = 80, Weight = weight };

    private static readonly VirtualServerSpec Web = new()
    {
        Address = IPAddress.Parse("198.51.100.100"), Port = 80, Quorum = 3, Hysteresis = 1,
        RealServers = [Real(10, 1), Real(11, 1), Real(12, 1), Real(13, 1)],
    };

    [Fact]
    public void QuorumIsLostBelowQuorumLessHysteresis_AndRegainedAtQuorumPlusHysteresis()
    {
        var tracker = new QuorumTracker();
        var down = new HashSet<int>();
        RealServerHealth Health(VirtualServerSpec _, RealServerSpec real) => down.Contains(real.Address.GetAddressBytes()[3]) ? RealServerHealth.Failed : RealServerHealth.Healthy;
        IReadOnlyList<QuorumChange> Step(params int[] failed)
        {
            down.Clear();
            down.UnionWith(failed);
            return tracker.Update([new NodeVirtualServer("web", Web)], Health);
        }

        Assert.Empty(Step());                 // 4: starts with quorum, nothing to say
        Assert.Empty(Step(10, 11));           // 2 >= 3 - 1: still held
        var lost = Assert.Single(Step(10, 11, 12)); // 1 < 2
        Assert.False(lost.Up);
        Assert.Equal("healthy weight 1 < 2 (quorum 3 - hysteresis 1)", lost.Reason);
        Assert.False(tracker.IsUp(Web));
        Assert.Empty(Step(10, 11));           // 2: not yet back, needs 3 + 1
        Assert.Empty(Step(10));               // 3
        var regained = Assert.Single(Step()); // 4
        Assert.True(regained.Up);
        Assert.Equal("healthy weight 4 >= 4 (quorum 3 + hysteresis 1)", regained.Reason);
        Assert.True(tracker.IsUp(Web));
    }

    [Fact]
    public void AllDown_IsNoQuorum_EvenWithQuorumZero()
    {
        var tracker = new QuorumTracker();
        var spec = Web with { Quorum = 0, Hysteresis = 0 };
        var change = Assert.Single(tracker.Update([new NodeVirtualServer("web", spec)], static (_, _) => RealServerHealth.Failed));
        Assert.False(change.Up);
    }

    [Fact]
    public async Task Alpha_ServerStartsOutOfThePool_Silently_AndJoinsAfterItsFirstSuccess()
    {
        using var listening = new SmallHttpServer();
        var check = new HealthCheckSpec { Tcp = new TcpCheckSpec(), ConnectTimeout = TimeSpan.FromMilliseconds(300) };
        var closed = FreePort.Next();
        var server = new VirtualServerSpec
        {
            Address = IPAddress.Parse("198.51.100.100"), Port = 80, Alpha = true, DelayLoop = TimeSpan.FromMilliseconds(200),
            RealServers =
            [
                new RealServerSpec { Address = IPAddress.Loopback, Port = listening.Port, HealthCheck = check },
                new RealServerSpec { Address = IPAddress.Loopback, Port = closed, HealthCheck = check },
                new RealServerSpec { Address = IPAddress.Parse("203.0.113.20"), Port = 80 }, // not checked: always in
            ],
        };
        var board = new HealthBoard(Quiet, TimeProvider.System);
        var changes = new ConcurrentQueue<RealServerState>();
        board.Changed += (_, state) => changes.Enqueue(state);

        Assert.False(board.Lookup(server, server.RealServers[0]).Up);
        Assert.False(board.Lookup(server, server.RealServers[1]).Up);
        Assert.True(board.Lookup(server, server.RealServers[2]).Up);
        Assert.Equal(1, DesiredIpvsTable.HealthyWeight(server, board.Lookup));

        await using var scheduler = await CheckScheduler.StartAsync();
        await scheduler.SyncAsync([.. server.RealServers.Take(2).Select(r => new RealServerCheck("web", server, r, board))], TestContext.Current.CancellationToken);

        Assert.True(await Poll.Until(() => board.States().Count == 2), "both servers were not checked");
        var up = Assert.Single(changes); // the listening one joined; the closed one's failure was as assumed: no change
        Assert.True(up.Up);
        Assert.Equal($"127.0.0.1:{listening.Port}", up.RealServer);
        Assert.True(board.Lookup(server, server.RealServers[0]).Up);
        Assert.False(board.Lookup(server, server.RealServers[1]).Up);
    }
}
