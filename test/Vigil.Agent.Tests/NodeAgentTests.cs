using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent.Tests;

/// <summary>
/// The node runtime with fake ports (links, a recording address table, sockets that hear nothing) and fake time:
/// apply, a partial apply and its retry, a reload in place, a restart that resumes as master, and stop.
/// </summary>
public sealed class NodeAgentTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly ManualTimeProvider _time = new();
    private readonly FakeKernel _ports = new();
    private readonly NodeAgent _agent;

    public NodeAgentTests() => _agent = new NodeAgent(_ports, _time, Serilog.Core.Logger.None);

    public void Dispose() => _agent.Dispose();

    private static NodeVrrpInstance Instance(string name, int vrid, string iface, params string[] vips) => new()
    {
        Name = name,
        Interface = iface,
        VirtualRouterId = vrid,
        Version = 3,
        AdvertInterval = Interval,
        Priority = 100,
        PreferredMaster = true,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [.. vips.Select(v => new VirtualAddressSpec { Address = IpPrefix.Parse(v) })],
    };

    private static NodeDesiredState Node(params NodeVrrpInstance[] instances) => new() { Node = "ka1", VrrpInstances = [.. instances] };

    private string State(string name) => _agent.Status().Single(s => s.Name == name).State.ToString();

    private void MasterDown() => _time.Advance(VrrpTimers.MasterDownInterval(100, Interval));

    [Fact]
    public void Apply_StartsEachInstanceAsBackup_MasterAfterMasterDownInterval_WithItsVips()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth0", "198.51.100.101/24")));

        Assert.Equal(["Backup", "Backup"], _agent.Status().Select(s => s.State.ToString()));
        Assert.Empty(_ports.Held());
        Assert.Empty(_agent.NotRunning());

        MasterDown();

        Assert.Equal(["Master", "Master"], _agent.Status().Select(s => s.State.ToString()));
        Assert.Equal(["198.51.100.100", "198.51.100.101"], _ports.Held());
    }

    [Fact]
    public void AnInstanceWhoseInterfaceIsMissing_IsNotRunning_AndStartsWhenItAppears()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth9", "203.0.113.100/24")));

        Assert.Equal(["vi_1"], _agent.Status().Select(s => s.Name));
        Assert.Contains("eth9", Assert.Single(_agent.NotRunning()), StringComparison.Ordinal);
        _agent.StartMissing();
        Assert.Single(_agent.NotRunning()); // still missing: still not running

        _ports.Links.Add(new NetworkLink(9, "eth9", true, true, null));
        _agent.StartMissing();

        Assert.Empty(_agent.NotRunning());
        Assert.Equal("Backup", State("vi_2"));
    }

    [Fact]
    public void AReloadThatAddsAVip_AdjustsTheMasterInPlace()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24");
        _agent.Apply(Node(before));
        MasterDown();
        var since = _agent.Status()[0].Since;

        var plan = _agent.Apply(Node(before with { VirtualAddresses = [.. before.VirtualAddresses, new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.102/24") }] }));

        Assert.Equal(InstanceAction.Adjust, Assert.Single(plan).Action);
        Assert.Equal("Master", State("vi_1"));
        Assert.Equal(since, _agent.Status()[0].Since);
        Assert.Equal(["198.51.100.100", "198.51.100.102"], _ports.Held());
    }

    [Fact]
    public void ARestart_ResumesAsMaster_OnlyWhenEveryVipIsStillThere()
    {
        _ports.Table.Add(new InterfaceAddress(2, IPAddress.Parse("198.51.100.100"), 24, 0, null)); // left by the previous run
        _agent.Predecessor = new PreviousRun([new PreviousMaster("vi_1", "eth0", 51, false), new PreviousMaster("vi_2", "eth0", 52, false)], _time.GetUtcNow());

        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth0", "198.51.100.101/24")));

        Assert.Equal("Master", State("vi_1"));
        Assert.StartsWith("resumed: master", _agent.Status()[0].Reason, StringComparison.Ordinal);
        Assert.Equal("Backup", State("vi_2")); // its VIP is gone: a backup may have it
    }

    [Fact]
    public void AMasterChangedOnTheWire_RestartsInPlace_KeepingItsVips_WithoutAPriorityZeroAdvert_OrATransition()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24");
        _agent.Apply(Node(before) with { RolloutWindow = TimeSpan.FromMinutes(5) });
        MasterDown();
        var transitions = new List<StateTransition>();
        _agent.Transitioned += (t, _) => transitions.Add(t);

        var plan = _agent.Apply(Node(before with { VirtualRouterId = 53 }) with { RolloutWindow = TimeSpan.FromMinutes(5) });

        Assert.Equal(InstanceAction.Restart, Assert.Single(plan).Action);
        var status = Assert.Single(_agent.Status());
        Assert.Equal(VrrpState.Master, status.State);
        Assert.Equal(53, status.VirtualRouterId);
        Assert.StartsWith("restarted in place", status.Reason, StringComparison.Ordinal);
        Assert.Equal(["198.51.100.100"], _ports.Held());
        Assert.Equal(0, _ports.Table.Deleted);
        Assert.DoesNotContain((byte)0, _ports.Channels[0].Sent);
        Assert.Empty(transitions);
        // The backup may still run VRID 51: its adverts are taken for the window.
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), status.ToleratingUntil);
    }

    [Fact]
    public void AMasterThatOnlyTookOver_GivesWayOnAWireChange_AsBefore()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24") with { PreferredMaster = false };
        _agent.Apply(Node(before));
        MasterDown();

        _agent.Apply(Node(before with { VirtualRouterId = 53 }));

        Assert.Equal(VrrpState.Backup, Assert.Single(_agent.Status()).State);
        Assert.Contains((byte)0, _ports.Channels[0].Sent);
        Assert.Empty(_ports.Held());
    }

    [Fact]
    public void ABackupChangedOnTheWire_RestartsAsBackup_AndTakesTheOldRevisionsAdvertsForTheWindow()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24");
        _agent.Apply(Node(before));

        _agent.Apply(Node(before with { VirtualRouterId = 53 }));

        var status = Assert.Single(_agent.Status());
        Assert.Equal(VrrpState.Backup, status.State);
        Assert.Equal(_time.GetUtcNow() + RolloutSpec.DefaultWindow, status.ToleratingUntil);
        _time.Advance(RolloutSpec.DefaultWindow);
        Assert.Null(Assert.Single(_agent.Status()).ToleratingUntil);
    }

    [Fact]
    public void AChangeTheWireDoesNotSee_OpensNoWindow_AndAStoppingMasterStillSaysGoodbye()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24");
        _agent.Apply(Node(before));
        MasterDown();

        _agent.Apply(Node(before with { Priority = 90 }));
        Assert.Null(Assert.Single(_agent.Status()).ToleratingUntil);
        _agent.Apply(Node(before with { VirtualAddresses = [.. before.VirtualAddresses, new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.102/24") }] }));
        Assert.NotNull(Assert.Single(_agent.Status()).ToleratingUntil);

        _agent.Stop();
        Assert.Contains((byte)0, _ports.Channels[0].Sent);
    }

    [Fact]
    public void Stop_ReleasesEveryVip()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24")));
        MasterDown();
        Assert.Single(_ports.Held());

        _agent.Stop();

        Assert.Empty(_ports.Held());
        Assert.Empty(_agent.Status());
    }
}
