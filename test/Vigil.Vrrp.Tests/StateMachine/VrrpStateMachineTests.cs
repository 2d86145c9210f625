using Vigil.Tests;
using System.Net;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.StateMachine;

/// <summary>
/// RFC 5798 section 6.4 with keepalived's figures (../shared/vrrp-vectors/README.md): v2 1s backup prio 80
/// takes over 3687.5 ms after the last advert on a crash and 687.5 ms after a priority-0 advert; v3 100 ms:
/// 368.75 ms and 68.75 ms. Time is manual: nothing sleeps.
/// </summary>
public sealed class VrrpStateMachineTests : IDisposable
{
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HundredMs = TimeSpan.FromMilliseconds(100);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingActions _actions;
    private VrrpStateMachine? _machine;

    public VrrpStateMachineTests() => _actions = new RecordingActions(_time);

    private VrrpStateMachine Machine(int priority, int version = 2, TimeSpan? interval = null, bool preempt = true, TimeSpan preemptDelay = default, IPAddress? address = null,
        bool answerLowerPriority = true)
    {
        _machine = new VrrpStateMachine(new VrrpMachineSettings
        {
            AnswerLowerPriority = answerLowerPriority,
            Version = version,
            Priority = priority,
            AdvertisementInterval = interval ?? OneSecond,
            Preempt = preempt,
            PreemptDelay = preemptDelay,
            PrimaryAddress = address ?? Ka2,
        }, _actions, _time);
        return _machine;
    }

    public void Dispose() => _machine?.Dispose();

    [Theory]
    [InlineData(80, 1000, 2, 3687.5)]
    [InlineData(100, 1000, 2, 3609.375)]
    [InlineData(80, 100, 3, 368.75)]
    [InlineData(254, 100, 3, 300.78125)]
    public void MasterDownInterval_IsThreeIntervalsPlusSkew(int priority, int intervalMs, int version, double expectedMs)
    {
        var machine = Machine(priority, version, TimeSpan.FromMilliseconds(intervalMs));
        Assert.Equal(expectedMs, machine.MasterDownInterval.TotalMilliseconds, precision: 4);
    }

    [Fact]
    public void Backup_HearingNothing_BecomesMasterAfterMasterDownInterval_AdvertFirstThenVips()
    {
        var machine = Machine(80);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3687));
        Assert.Equal(VrrpState.Backup, machine.State);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, machine.State);
        Assert.Equal(["Initialize -> Backup: startup", "advert 80", "take VIPs", "Backup -> Master: master down"], _actions.Actions);
        Assert.Equal(TimeSpan.FromMilliseconds(3687.5), _actions.FirstAt("advert 80"));
    }

    /// <summary>A v3 master whose interval a reload changes keeps the VIPs and sends at the new interval from its next advert.</summary>
    [Fact]
    public void Master_IntervalChangedInPlace_NoTransition_AdvertsAtTheNewInterval()
    {
        var machine = Machine(100, version: 3, interval: HundredMs);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(VrrpState.Master, machine.State);
        var transitions = _actions.Actions.Count(a => a.Contains("->", StringComparison.Ordinal));

        machine.UpdateAdvertisementInterval(TimeSpan.FromMilliseconds(200));
        var from = _time.Elapsed;
        _time.Advance(TimeSpan.FromMilliseconds(1000));

        Assert.Equal(VrrpState.Master, machine.State);
        Assert.Equal(transitions, _actions.Actions.Count(a => a.Contains("->", StringComparison.Ordinal)));
        var adverts = _actions.Log.Where(l => l.Action == "advert 100" && l.At > from).Select(l => l.At).ToList();
        // The advert already due goes at the old interval; every one after it 200 ms apart.
        Assert.All(adverts.Zip(adverts.Skip(1)).Skip(1), pair => Assert.Equal(TimeSpan.FromMilliseconds(200), pair.Second - pair.First));
        Assert.InRange(adverts.Count, 5, 6);
    }

    /// <summary>A v3 backup that has heard no master yet waits by the new interval's Master_Down_Interval.</summary>
    [Fact]
    public void Backup_IntervalChangedBeforeHearingAMaster_WaitsByTheNewOne()
    {
        var machine = Machine(80, version: 3, interval: HundredMs);
        machine.Start();
        machine.UpdateAdvertisementInterval(TimeSpan.FromMilliseconds(200));
        Assert.Equal(737.5, machine.MasterDownInterval.TotalMilliseconds, precision: 4);
    }

    /// <summary>
    /// The soak's false takeover: Master_Down_Timer came due while the backup was stalled, an advert was taken in before
    /// the timer's run got the lock, and the run then took over though the master had just been heard.
    /// </summary>
    [Fact]
    public void MasterDownRun_StartedBeforeAnAdvertRearmedTheTimer_IsNoTakeover()
    {
        var machine = Machine(80, version: 3, interval: HundredMs);
        machine.Start();
        machine.ReceiveAdvertisement(100, HundredMs, Ka1);
        var held = _time.AdvanceHolding(TimeSpan.FromMilliseconds(400)); // due at 368.75 ms, its run waiting
        Assert.Single(held);

        machine.ReceiveAdvertisement(100, HundredMs, Ka1);
        held[0]();

        Assert.Equal(VrrpState.Backup, machine.State);
        Assert.DoesNotContain(_actions.Actions, a => a.Contains("-> Master", StringComparison.Ordinal));
        // The master then falls silent: the rearmed timer still takes over one Master_Down_Interval after that advert.
        _time.Advance(TimeSpan.FromMilliseconds(368));
        Assert.Equal(VrrpState.Backup, machine.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, machine.State);
    }

    [Fact]
    public void AddressOwner_BecomesMasterAtOnce()
    {
        var machine = Machine(255);
        machine.Start();
        Assert.Equal(VrrpState.Master, machine.State);
        Assert.Equal(TimeSpan.Zero, _actions.FirstAt("take VIPs"));
    }

    [Fact]
    public void Master_AdvertisesEveryInterval()
    {
        var machine = Machine(255, version: 3, interval: HundredMs);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(11, _actions.Actions.Count(a => a == "advert 255"));
    }

    [Fact]
    public void Crash_BackupTakesOverMasterDownIntervalAfterTheLastAdvert()
    {
        var machine = Machine(80);
        machine.Start();
        for (var i = 0; i < 5; i++)
        {
            machine.ReceiveAdvertisement(100, OneSecond, Ka1);
            _time.Advance(OneSecond);
        }
        Assert.Equal(VrrpState.Backup, machine.State);
        Assert.Equal(Ka1, machine.MasterSeen);
        var lastAdvert = _time.Elapsed - OneSecond;

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(lastAdvert + TimeSpan.FromMilliseconds(3687.5), _actions.FirstAt("take VIPs"));
    }

    [Theory]
    [InlineData(2, 1000, 687.5)]
    [InlineData(3, 100, 68.75)]
    public void PriorityZeroAdvert_BackupTakesOverAfterSkewTime(int version, int intervalMs, double skewMs)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var machine = Machine(80, version, interval);
        machine.Start();
        machine.ReceiveAdvertisement(100, interval, Ka1);
        _time.Advance(interval);
        machine.ReceiveAdvertisement(0, interval, Ka1);
        var stop = _time.Elapsed;

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(stop + TimeSpan.FromMilliseconds(skewMs), _actions.FirstAt("take VIPs"));
    }

    [Fact]
    public void V3Backup_LearnsTheMastersInterval()
    {
        var machine = Machine(80, version: 3, interval: OneSecond);
        machine.Start();
        machine.ReceiveAdvertisement(100, HundredMs, Ka1);
        Assert.Equal(HundredMs, machine.MasterAdverInterval);
        Assert.Equal(368.75, machine.MasterDownInterval.TotalMilliseconds, precision: 4);
        _time.Advance(TimeSpan.FromMilliseconds(369));
        Assert.Equal(VrrpState.Master, machine.State);
    }

    [Fact]
    public void V2Backup_KeepsItsOwnInterval()
    {
        var machine = Machine(80, version: 2, interval: OneSecond);
        machine.Start();
        machine.ReceiveAdvertisement(100, HundredMs, Ka1);
        Assert.Equal(OneSecond, machine.MasterAdverInterval);
    }

    [Fact]
    public void Master_HearingAHigherPriority_StepsDownAndReleasesTheVips()
    {
        var machine = Machine(100);
        machine.Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, machine.State);

        machine.ReceiveAdvertisement(150, OneSecond, Ka1);
        Assert.Equal(VrrpState.Backup, machine.State);
        Assert.Equal(["release VIPs", "Master -> Backup: higher priority 150 from 198.51.100.11"], _actions.Actions.TakeLast(2));
    }

    [Theory]
    [InlineData("198.51.100.13", VrrpState.Backup)] // the sender's address is higher: it wins the tie
    [InlineData("198.51.100.11", VrrpState.Master)] // ours is higher: we stay
    public void Master_OnAPriorityTie_TheHigherPrimaryAddressWins(string sender, VrrpState expected)
    {
        var machine = Machine(100, address: Ka2);
        machine.Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        machine.ReceiveAdvertisement(100, OneSecond, IPAddress.Parse(sender));
        Assert.Equal(expected, machine.State);
    }

    [Fact]
    public void Master_HearingPriorityZero_AdvertisesAtOnce()
    {
        var machine = Machine(100);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3700));
        var before = _actions.Actions.Count(a => a == "advert 100");
        machine.ReceiveAdvertisement(0, OneSecond, Ka1);
        Assert.Equal(before + 1, _actions.Actions.Count(a => a == "advert 100"));
        Assert.Equal(VrrpState.Master, machine.State);
    }

    /// <summary>
    /// keepalived's default ("Send advert after receive lower priority advert = true"): a backup that lost a few adverts
    /// and took over hears the real master at once, not at its next timer; lowerPriorityNoAdvert keeps RFC 5798's silence.
    /// </summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public void Master_HearingALowerPriority_AnswersAtOnce_UnlessTurnedOff(bool answer, int extraAdverts)
    {
        var machine = Machine(100, answerLowerPriority: answer);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3700));
        Assert.Equal(VrrpState.Master, machine.State);
        _time.Advance(TimeSpan.FromMilliseconds(300)); // between two adverts of ours
        var before = _actions.Actions.Count(a => a == "advert 100");

        machine.ReceiveAdvertisement(80, OneSecond, Ka1);

        Assert.Equal(before + extraAdverts, _actions.Actions.Count(a => a == "advert 100"));
        Assert.Equal(VrrpState.Master, machine.State);
        // Announced again either way (keepalived's garp_lower_prio_repeat is apart from lower_prio_no_advert): the
        // lower router's takeover pointed the clients at it.
        Assert.Equal("heard lower priority", _actions.Actions.Last());
    }

    /// <summary>
    /// A flood of lower-priority adverts (forged: anyone on the segment can send them from any source) is answered at
    /// most ten times per advert interval, spaced, and announced once per interval, not once each: the master must not
    /// amplify a flood into adverts and gratuitous ARPs (keepalived answers every one).
    /// </summary>
    [Fact]
    public void Master_HearingAFloodOfLowerPriorities_AnswersTenTimesPerInterval_AndAnnouncesOnce()
    {
        var machine = Machine(100);
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(3700));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var adverts = _actions.Actions.Count(a => a == "advert 100");

        for (var i = 0; i < 1000; i++)
        {
            machine.ReceiveAdvertisement(50, OneSecond, System.Net.IPAddress.Parse($"203.0.113.{i % 250 + 1}"));
        }
        Assert.Equal(adverts + 1, _actions.Actions.Count(a => a == "advert 100")); // all at one instant: one answer
        Assert.Equal(1, _actions.Actions.Count(a => a == "heard lower priority"));

        // Over the rest of the interval, one every millisecond: an answer each 100 ms, no more announcements.
        for (var ms = 1; ms < 1000; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            machine.ReceiveAdvertisement(50, OneSecond, Ka1);
        }
        Assert.Equal(adverts + Vrrp.StateMachine.VrrpStateMachine.LowerPriorityAnswersPerInterval, _actions.Actions.Count(a => a == "advert 100"));
        Assert.Equal(1, _actions.Actions.Count(a => a == "heard lower priority"));

        _time.Advance(TimeSpan.FromMilliseconds(1)); // a whole interval since the first: announced again
        machine.ReceiveAdvertisement(50, OneSecond, Ka1);
        Assert.Equal(2, _actions.Actions.Count(a => a == "heard lower priority"));
        Assert.Equal(VrrpState.Master, machine.State);
    }

    [Fact]
    public void Preempt_HigherPriorityBackup_TakesOverFromALowerMaster()
    {
        var machine = Machine(100);
        machine.Start();
        for (var i = 0; i < 10; i++)
        {
            machine.ReceiveAdvertisement(80, OneSecond, Ka1);
            _time.Advance(OneSecond);
        }
        // Lower-priority adverts are discarded, so Master_Down_Timer from startup runs out.
        Assert.Equal(VrrpState.Master, machine.State);
        Assert.Equal(TimeSpan.FromMilliseconds(3609.375), _actions.FirstAt("take VIPs"));
    }

    [Fact]
    public void Nopreempt_HigherPriorityBackup_LeavesTheLowerMasterAlone()
    {
        var machine = Machine(100, preempt: false);
        machine.Start();
        for (var i = 0; i < 30; i++)
        {
            machine.ReceiveAdvertisement(80, OneSecond, Ka1);
            _time.Advance(OneSecond);
        }
        Assert.Equal(VrrpState.Backup, machine.State);
        Assert.DoesNotContain("take VIPs", _actions.Actions);
    }

    [Fact]
    public void PreemptDelay_CountsFromTheFirstLowerPriorityAdvert_ThenMasterDownAfterTheLastOneHeardWithinIt()
    {
        // keepalived's measured figure (shared vrrp-vectors README): restart, first advert ~0.77 s later, delay 5 s,
        // VIP back 8377-8392 ms after the restart = the advert at first+4 s, plus Master_Down_Interval 3609.4 ms.
        var machine = Machine(100, preemptDelay: TimeSpan.FromSeconds(5));
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(770));
        var first = _time.Elapsed;
        for (var i = 0; i < 10 && machine.State == VrrpState.Backup; i++)
        {
            machine.ReceiveAdvertisement(80, OneSecond, Ka1);
            _time.Advance(i == 4 ? TimeSpan.FromMilliseconds(1001) : OneSecond); // the 6th arrives just after the delay
        }
        Assert.Equal(first + TimeSpan.FromSeconds(4) + TimeSpan.FromMilliseconds(3609.375), _actions.FirstAt("take VIPs"));
        Assert.InRange(_actions.FirstAt("take VIPs").TotalMilliseconds, 8377, 8392);
        Assert.Contains("Backup -> Master: preempt delay elapsed, lower-priority master ignored", _actions.Actions);
    }

    /// <summary>
    /// The delay runs from start-up, as keepalived's does: the lower-priority master's advert that arrives a hair before
    /// "first advert + delay" is outside it. Counted from the first advert, that one fell inside and re-armed
    /// Master_Down_Timer: one advert interval late against keepalived, every time.
    /// </summary>
    [Fact]
    public void PreemptDelay_RunsFromStartup_AsKeepalivedsDoes()
    {
        var machine = Machine(100, preemptDelay: TimeSpan.FromSeconds(5));
        machine.Start();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        machine.ReceiveAdvertisement(80, OneSecond, Ka1);
        for (var i = 1; i < 10 && machine.State == VrrpState.Backup; i++)
        {
            _time.AdvanceTo(TimeSpan.FromMilliseconds(500 + (1000 * i) - 1)); // the master's adverts, a hair early
            machine.ReceiveAdvertisement(80, OneSecond, Ka1);
        }

        // The last advert within the delay (from 0 to 5 s) is the one at 4499 ms: Master_Down_Interval after it.
        Assert.Equal(TimeSpan.FromMilliseconds(4499) + TimeSpan.FromMilliseconds(3609.375), _actions.FirstAt("take VIPs"));
    }

    [Fact]
    public void Stop_AsMaster_SendsPriorityZeroAndReleasesTheVips()
    {
        var machine = Machine(255);
        machine.Start();
        machine.Stop();
        Assert.Equal(VrrpState.Initialize, machine.State);
        Assert.Equal(["advert 0", "release VIPs", "Master -> Initialize: shutdown"], _actions.Actions.TakeLast(3));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("Master -> Initialize: shutdown", _actions.Actions.Last()); // no advert after stopping
    }

    [Fact]
    public void Fault_FromMaster_GivesUpTheVips_AndRecoveryGoesThroughBackup()
    {
        var machine = Machine(100);
        machine.Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        machine.SetFault(true, "eth1 down");
        Assert.Equal(VrrpState.Fault, machine.State);
        Assert.Equal(["advert 0", "release VIPs", "Master -> Fault: eth1 down"], _actions.Actions.TakeLast(3));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Fault, machine.State);
        machine.ReceiveAdvertisement(80, OneSecond, Ka1); // ignored in Fault
        machine.SetFault(false, "eth1 up");
        Assert.Equal(VrrpState.Backup, machine.State);
        _time.Advance(TimeSpan.FromMilliseconds(3610));
        Assert.Equal(VrrpState.Master, machine.State);
    }

    [Fact]
    public void UpdatePriority_IsClampedAndUsedForTheNextAdvert()
    {
        var machine = Machine(100);
        machine.Start();
        _time.Advance(TimeSpan.FromSeconds(4));
        machine.UpdatePriority(70);
        _time.Advance(OneSecond);
        Assert.Equal("advert 70", _actions.Actions.Last());
        machine.UpdatePriority(400);
        Assert.Equal(254, machine.Priority);
        machine.UpdatePriority(-20);
        Assert.Equal(1, machine.Priority);
    }
}
