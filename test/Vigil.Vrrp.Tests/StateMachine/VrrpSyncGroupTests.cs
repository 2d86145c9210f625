using Vigil.Tests;
using System.Net;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.StateMachine;

/// <summary>Two instances in one sync group (an outside and an inside VIP, as in keepalived's LVS case study).</summary>
public sealed class VrrpSyncGroupTests : IDisposable
{
    private static readonly IPAddress Peer = IPAddress.Parse("198.51.100.11");
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingActions _outsideLog;
    private readonly RecordingActions _insideLog;
    private readonly VrrpStateMachine _outside;
    private readonly VrrpStateMachine _inside;

    public VrrpSyncGroupTests()
    {
        var group = new VrrpSyncGroup("vg");
        _outsideLog = new RecordingActions(_time);
        _insideLog = new RecordingActions(_time);
        // Different priorities, so their Master_Down timers differ: the group still moves as one.
        _outside = new VrrpStateMachine(new VrrpMachineSettings { Version = 2, Priority = 100, PrimaryAddress = IPAddress.Parse("198.51.100.12") }, _outsideLog, _time, group);
        _inside = new VrrpStateMachine(new VrrpMachineSettings { Version = 2, Priority = 50, PrimaryAddress = IPAddress.Parse("203.0.113.12") }, _insideLog, _time, group);
        Assert.Equal([_outside, _inside], group.Members);
    }

    public void Dispose()
    {
        _outside.Dispose();
        _inside.Dispose();
    }

    private void StartAsMasters()
    {
        _outside.Start();
        _inside.Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal((VrrpState.Master, VrrpState.Master), (_outside.State, _inside.State));
    }

    [Fact]
    public void OneMemberBecomingMaster_TakesTheGroupToMaster_AtTheSameMoment()
    {
        _outside.Start();
        _inside.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3610)); // outside's Master_Down (3609.4 ms) has run out; inside's (3804.7 ms) has not
        Assert.Equal((VrrpState.Master, VrrpState.Master), (_outside.State, _inside.State));
        Assert.Equal(_outsideLog.FirstAt("take VIPs"), _insideLog.FirstAt("take VIPs"));
        Assert.Equal("Backup -> Master: sync group vg: master down", _insideLog.Actions.Last());
    }

    [Fact]
    public void OneMemberSteppingDown_TakesTheGroupToBackup_AndBothReleaseTheirVips()
    {
        StartAsMasters();
        _inside.ReceiveAdvertisement(200, OneSecond, Peer);
        Assert.Equal((VrrpState.Backup, VrrpState.Backup), (_outside.State, _inside.State));
        Assert.Contains("release VIPs", _outsideLog.Actions);
        Assert.Equal("Master -> Backup: sync group vg: higher priority 200 from 198.51.100.11", _outsideLog.Actions.Last());
        // Neither advertises any more.
        var adverts = _outsideLog.Actions.Count(a => a.StartsWith("advert", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromMilliseconds(2500));
        Assert.Equal(adverts, _outsideLog.Actions.Count(a => a.StartsWith("advert", StringComparison.Ordinal)));
    }

    [Fact]
    public void OneMembersFault_FaultsTheGroup_UntilItsOwnFaultClears()
    {
        StartAsMasters();
        _outside.SetFault(true, "eth1 down");
        Assert.Equal((VrrpState.Fault, VrrpState.Fault), (_outside.State, _inside.State));
        Assert.Equal(["advert 0", "release VIPs", "Master -> Fault: sync group vg: eth1 down"], _insideLog.Actions.TakeLast(3));
        Assert.False(_inside.HasOwnFault);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal((VrrpState.Fault, VrrpState.Fault), (_outside.State, _inside.State));

        _outside.SetFault(false, "eth1 up");
        Assert.Equal((VrrpState.Backup, VrrpState.Backup), (_outside.State, _inside.State));
    }

    [Fact]
    public void WhileAnotherMemberIsStillFaulty_ClearingOnesOwnFault_KeepsTheGroupInFault()
    {
        StartAsMasters();
        _outside.SetFault(true, "eth1 down");
        _inside.SetFault(true, "eth2 down");
        _outside.SetFault(false, "eth1 up");
        Assert.Equal((VrrpState.Fault, VrrpState.Fault), (_outside.State, _inside.State));
        _inside.SetFault(false, "eth2 up");
        Assert.Equal((VrrpState.Backup, VrrpState.Backup), (_outside.State, _inside.State));
    }
}
