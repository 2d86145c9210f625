using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.StateMachine;

public class TrackedPriorityTests
{
    [Theory]
    [InlineData(-30, true, 100)]   // negative weight: nothing while OK
    [InlineData(-30, false, 70)]   // ... subtracted while failing (haproxy-track: 100 - 30 = 70 < 90)
    [InlineData(20, true, 120)]    // positive weight: added while OK
    [InlineData(20, false, 100)]   // ... nothing while failing
    public void Weight_MovesThePriority_AsKeepalivedDocuments(int weight, bool healthy, int expected)
    {
        var result = TrackedPriority.Compute(100, [new TrackResult("chk_haproxy", weight, healthy)]);
        Assert.Equal(new EffectivePriority(expected, null), result);
    }

    [Fact]
    public void WeightZero_Failing_IsFault_NamingWhatFailed()
    {
        var result = TrackedPriority.Compute(100, [new TrackResult("eth1", 0, false), new TrackResult("chk", -10, false), new TrackResult("chk_db", 0, false)]);
        Assert.True(result.IsFault);
        Assert.Equal("eth1, chk_db failed", result.FaultReason);
    }

    [Fact]
    public void SeveralTracks_AddUp_AndStayWithin1To254()
    {
        Assert.Equal(254, TrackedPriority.Compute(200, [new TrackResult("a", 50, true), new TrackResult("b", 50, true)]).Priority);
        Assert.Equal(1, TrackedPriority.Compute(20, [new TrackResult("a", -50, false)]).Priority);
        Assert.Equal(60, TrackedPriority.Compute(100, [new TrackResult("a", -30, false), new TrackResult("b", -10, false), new TrackResult("c", 5, false)]).Priority);
    }

    [Fact]
    public void AddressOwner_StaysAt255() =>
        Assert.Equal(255, TrackedPriority.Compute(255, [new TrackResult("a", -100, false)]).Priority);

    [Theory]
    [InlineData(0, 1, false, 100, false)]      // nothing in the file (or no file): no change
    [InlineData(5, 1, false, 105, false)]      // the number times the weight is added
    [InlineData(3, -20, false, 40, false)]     // 100 + 3 × -20
    [InlineData(3, 20, true, 40, false)]       // reversed: negated
    [InlineData(200, 1, false, 254, false)]    // capped at 253 added, then within 1-254
    [InlineData(-254, 1, false, 100, true)]    // -254 or less is a fault
    [InlineData(-1000, 1, false, 100, true)]
    [InlineData(-253, 1, false, 1, false)]     // one above: the lowest priority, not a fault
    [InlineData(7, 0, false, 100, true)]       // weight 0: any non-zero number is a failure
    [InlineData(0, 0, false, 100, false)]
    [InlineData(0, 0, true, 100, true)]        // weight 0 reversed: zero is the failure
    [InlineData(7, 0, true, 100, false)]
    public void TrackFile_CountsAsKeepalivedsTrackFile(long value, int weight, bool reverse, int priority, bool fault)
    {
        var result = TrackedPriority.Compute(100, [TrackResult.File("file /run/x", value, weight, reverse)]);
        Assert.Equal(fault, result.IsFault);
        Assert.Equal(priority, result.Priority);
        if (fault)
        {
            Assert.Equal("file /run/x failed", result.FaultReason);
        }
    }

    /// <summary>keepalived's process_update_track_process_status: what a quorum held or lost adds, with reverse.</summary>
    [Theory]
    [InlineData(true, 0, false, 100, false)]
    [InlineData(false, 0, false, 100, true)]
    [InlineData(true, 0, true, 100, true)]     // weight 0 reversed: a held quorum is the failure
    [InlineData(true, 20, false, 120, false)]  // positive: added while it holds
    [InlineData(false, 20, false, 100, false)]
    [InlineData(false, -30, false, 70, false)] // negative: added while it is lost
    [InlineData(true, -30, false, 100, false)]
    [InlineData(true, 20, true, 80, false)]    // reversed: taken off while it holds
    [InlineData(false, -30, true, 130, false)] // reversed negative: given while it is lost
    [InlineData(true, -30, true, 100, false)]
    public void TrackProcess_CountsAsKeepalivedsTrackProcess(bool quorum, int weight, bool reverse, int priority, bool fault)
    {
        var result = TrackedPriority.Compute(100, [TrackResult.Process("process haproxy", quorum, weight, reverse)]);
        Assert.Equal((fault, priority), (result.IsFault, result.Priority));
    }
}
