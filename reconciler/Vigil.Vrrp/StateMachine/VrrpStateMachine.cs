using System.Net;

namespace Vigil.Vrrp.StateMachine;

/// <summary>
/// One VRRP instance's state machine, RFC 5798 section 6.4, with keepalived's choices where the RFC leaves
/// room: Fault, preempt delay counted from the first lower-priority advert, a priority-0 advert when leaving
/// master. Time comes from a <see cref="TimeProvider"/>, so tests fire timers by hand. Inputs may arrive
/// from any thread (socket loop, timers, trackers); they are serialized on one lock, and the actions are
/// called under it, so they must not block.
/// </summary>
public sealed class VrrpStateMachine : IDisposable
{
    private readonly Lock _gate;
    private readonly VrrpSyncGroup? _group;
    private readonly TimeProvider _time;
    private readonly IVrrpActions _actions;
    private readonly ITimer _adverTimer;
    private readonly ITimer _masterDownTimer;
    private TimeSpan _masterAdverInterval;
    private DateTimeOffset? _preemptAt;
    private long _lastLowerAnswerTicks = DateTimeOffset.MinValue.UtcTicks;
    private long _lastLowerAnnounceTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>
    /// How many lower-priority adverts a master answers per advert interval, at most (spaced evenly). keepalived answers
    /// every one, so a flood of forged ones becomes a flood of adverts (40-fold, measured); one answer per interval kept a
    /// keepalived backup drowning in the same flood from hearing enough of them (it took over in 2 of 2 runs, the
    /// adverts on time at its interface); ten give it ten chances per interval for a tenth of keepalived's adverts.
    /// The gratuitous ARPs that go with an answer stay at one burst per interval.
    /// </summary>
    public const int LowerPriorityAnswersPerInterval = 10;
    private volatile VrrpState _state = VrrpState.Initialize;
    private volatile int _priority;

    /// <param name="group">The sync group this instance belongs to, if any: its members share one lock and follow each other.</param>
    public VrrpStateMachine(VrrpMachineSettings settings, IVrrpActions actions, TimeProvider time, VrrpSyncGroup? group = null)
    {
        _group = group;
        _gate = group?.Gate ?? new Lock();
        Settings = settings;
        Priority = settings.Priority;
        _actions = actions;
        _time = time;
        _masterAdverInterval = settings.AdvertisementInterval;
        _adverTimer = time.CreateTimer(_ => OnAdverTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _masterDownTimer = time.CreateTimer(_ => OnMasterDownTimer(), VrrpTimers.Takeover, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        group?.Add(this);
    }

    /// <summary>Whether this instance's own tracking put it in Fault (as opposed to following its sync group there).</summary>
    public bool HasOwnFault { get; private set; }

    public VrrpMachineSettings Settings { get; private set; }

    /// <summary>
    /// A reload changed the advert interval (VRRPv3, where backups adopt the master's, RFC 5798 section 6.4.2): a master
    /// sends at the new one from its next advert, with no transition; a backup that has not learned a master's interval
    /// waits by the new one. Under the lock, so that a transition sees one interval or the other.
    /// </summary>
    public void UpdateAdvertisementInterval(TimeSpan interval)
    {
        lock (_gate)
        {
            var learned = _masterAdverInterval != Settings.AdvertisementInterval;
            Settings = Settings with { AdvertisementInterval = interval };
            if (!learned)
            {
                _masterAdverInterval = interval;
            }
        }
    }

    public VrrpState State { get => _state; private set => _state = value; }

    /// <summary>The priority in force: the configured one moved by tracked scripts and interfaces.</summary>
    public int Priority { get => _priority; private set => _priority = value; }

    /// <summary>The master's advert interval as learned from its adverts (v3), else ours.</summary>
    public TimeSpan MasterAdverInterval => _masterAdverInterval;

    public TimeSpan MasterDownInterval => VrrpTimers.MasterDownInterval(Priority, _masterAdverInterval);

    /// <summary>The address of the last master heard, for status.</summary>
    public IPAddress? MasterSeen { get; private set; }

    /// <summary>
    /// RFC 5798 section 6.4.1: Startup. <paramref name="resumeAsMaster"/> (a reason) starts as master without waiting:
    /// the agent restarted while master and the kernel still holds the VIPs, so waiting as backup would hand them to a
    /// peer and take them back (a flap); the advert sent at once tells the peers the master is still there.
    /// </summary>
    public void Start(string? resumeAsMaster = null)
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            if (State != VrrpState.Initialize)
            {
                return;
            }
            if (Priority == 255)
            {
                BecomeMaster("address owner (priority 255)");
            }
            else if (resumeAsMaster is not null)
            {
                BecomeMaster(resumeAsMaster);
            }
            else
            {
                EnterBackup("startup");
                if (Settings.Preempt && Settings.PreemptDelay > TimeSpan.Zero)
                {
                    // keepalived starts preempt_delay when the instance enters BACKUP at start-up, not at the first
                    // lower-priority advert: a returning node preempts on keepalived's schedule whatever its peer runs.
                    _preemptAt = _time.GetUtcNow() + Settings.PreemptDelay;
                }
            }
        }
    }

    /// <summary>Shutdown: a master sends a priority-0 advert so a backup takes over after Skew_Time.</summary>
    public void Stop()
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            LeaveCurrentState(sendPriorityZero: true);
            SetState(VrrpState.Initialize, "shutdown");
        }
    }

    /// <summary>An advert that already passed validation (VRID, authentication, TTL, interval for v2).</summary>
    public void ReceiveAdvertisement(int priority, TimeSpan maxAdverInterval, IPAddress source)
    {
        if (Ignorable(priority))
        {
            return;
        }
        using var settle = new Settling(this);
        lock (_gate)
        {
            switch (State)
            {
                case VrrpState.Backup:
                    OnAdvertisementAsBackup(priority, maxAdverInterval, source);
                    break;
                case VrrpState.Master:
                    OnAdvertisementAsMaster(priority, maxAdverInterval, source);
                    break;
            }
        }
    }

    /// <summary>
    /// Adverts with 0 &lt; priority &lt; this change nothing in the current state: a backup that preempts at once
    /// discards them (RFC 5798 6.4.2). 0 when every advert counts. The receive socket may drop them in the kernel.
    /// </summary>
    public int DiscardsBelow => State == VrrpState.Backup && Settings.Preempt && Settings.PreemptDelay == TimeSpan.Zero ? Priority : 0;

    /// <summary>
    /// A lower-priority advert that changes nothing: to a master that answered one a moment ago (see
    /// <see cref="LowerPriorityAnswersPerInterval"/>) and announced this interval, or to a backup that preempts it at once. Told apart without the lock, because a flood of them (anyone on the segment can forge them,
    /// 50,000 a second) otherwise takes the lock the advert timer needs at every one (the chaos benchmark's flood: a
    /// backup took over in 3 of 4 runs before, in 4 of 12 after). A stale read only sends one advert the slow way.
    /// </summary>
    private bool Ignorable(int priority)
    {
        if (priority <= 0 || priority >= Priority)
        {
            return false;
        }
        if (priority < DiscardsBelow)
        {
            return true;
        }
        var now = _time.GetUtcNow().UtcTicks;
        return State == VrrpState.Master
            && now - Interlocked.Read(ref _lastLowerAnswerTicks) < Settings.AdvertisementInterval.Ticks / LowerPriorityAnswersPerInterval
            && now - Interlocked.Read(ref _lastLowerAnnounceTicks) < Settings.AdvertisementInterval.Ticks;
    }

    /// <summary>
    /// Runs <paramref name="change"/> under the machine's lock with the state it is in: a reload's change of the VIPs is
    /// ordered with the transitions, never interleaved with one.
    /// </summary>
    public void Serialized(Action<VrrpState> change)
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            change(State);
        }
    }

    /// <summary>Tracked scripts and interfaces moved the priority; it is carried from the next advert on.</summary>
    public void UpdatePriority(int priority)
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            Priority = Settings.Priority == 255 ? 255 : Math.Clamp(priority, 1, 254);
        }
    }

    /// <summary>A tracked interface went down or a weight-0 script failed (keepalived's Fault), or recovered.</summary>
    public void SetFault(bool fault, string reason)
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            HasOwnFault = fault;
            if (fault && State is VrrpState.Backup or VrrpState.Master)
            {
                EnterFault(reason);
            }
            else if (!fault && State == VrrpState.Fault && _group?.AnyOtherFaulty(this) != true)
            {
                EnterBackup(reason);
            }
        }
    }

    /// <summary>Another member of the sync group changed state (called under the group's lock).</summary>
    internal void FollowGroup(VrrpState to, string reason)
    {
        switch (to)
        {
            case VrrpState.Master when State == VrrpState.Backup:
                BecomeMaster(reason);
                break;
            case VrrpState.Backup when State == VrrpState.Master:
                LeaveCurrentState(sendPriorityZero: false);
                EnterBackup(reason);
                break;
            case VrrpState.Backup when State == VrrpState.Fault && !HasOwnFault:
                EnterBackup(reason);
                break;
            case VrrpState.Fault when State is VrrpState.Backup or VrrpState.Master:
                EnterFault(reason);
                break;
        }
    }

    private void OnAdvertisementAsBackup(int priority, TimeSpan maxAdverInterval, IPAddress source)
    {
        if (priority == 0)
        {
            // RFC 5798 section 6.4.2: the master is leaving; take over after Skew_Time.
            ArmMasterDown(VrrpTimers.SkewTime(Priority, _masterAdverInterval));
            return;
        }
        if (!Settings.Preempt || priority >= Priority)
        {
            MasterSeen = source;
            LearnInterval(maxAdverInterval);
            _preemptAt = null;
            ArmMasterDown(MasterDownInterval);
            return;
        }
        MasterSeen = source;
        if (Settings.PreemptDelay > TimeSpan.Zero)
        {
            // The delay runs from start-up (see Start); entering backup later, from the first lower-priority advert.
            // Until it ends, that master stands (its adverts rearm Master_Down_Timer as anyone's would). After it,
            // they are discarded, so this router takes over one Master_Down_Interval after the last advert it heard
            // within the delay.
            var now = _time.GetUtcNow();
            _preemptAt ??= now + Settings.PreemptDelay;
            if (now < _preemptAt.Value)
            {
                ArmMasterDown(MasterDownInterval);
                return;
            }
        }
        // Otherwise the advert is discarded: Master_Down_Timer runs out and this router preempts.
    }

    private void OnAdvertisementAsMaster(int priority, TimeSpan maxAdverInterval, IPAddress source)
    {
        if (priority == 0)
        {
            // RFC 5798 section 6.4.3: another router gave up; assert mastership at once.
            Advertise();
            return;
        }
        if (priority > Priority || (priority == Priority && Compare(source, Settings.PrimaryAddress) > 0))
        {
            _adverTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            MasterSeen = source;
            LearnInterval(maxAdverInterval);
            ArmMasterDown(MasterDownInterval);
            _actions.ReleaseVirtualAddresses();
            SetState(VrrpState.Backup, priority > Priority
                ? $"higher priority {priority} from {source}"
                : $"equal priority {priority} from higher address {source}");
        }
        else
        {
            // Bounded: a flood of forged lower-priority adverts (anyone on the segment can send them, from any source)
            // must not turn this master into an amplifier of adverts and gratuitous ARPs.
            var now = _time.GetUtcNow().UtcTicks;
            if (now - Interlocked.Read(ref _lastLowerAnswerTicks) >= Settings.AdvertisementInterval.Ticks / LowerPriorityAnswersPerInterval)
            {
                Interlocked.Exchange(ref _lastLowerAnswerTicks, now);
                if (Settings.AnswerLowerPriority)
                {
                    // A lower-priority router thinks it is master: tell it now that one with a higher priority is, so that
                    // it steps down within this advert's round trip rather than at our next timer.
                    Advertise();
                }
            }
            if (now - Interlocked.Read(ref _lastLowerAnnounceTicks) >= Settings.AdvertisementInterval.Ticks)
            {
                Interlocked.Exchange(ref _lastLowerAnnounceTicks, now);
                _actions.HeardLowerPriority();
            }
        }
    }

    private void OnAdverTimer()
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            if (State == VrrpState.Master)
            {
                Advertise();
            }
        }
    }

    /// <summary>
    /// Master_Down_Timer's deadline, monotonic (0: not armed). A run of the timer that was already under way when an
    /// advert rearmed it (waiting for the lock, or late after the process stalled) finds the deadline moved and is not a
    /// takeover: seen in the soak, where a stalled backup took over 91 instances whose adverts it had just heard.
    /// </summary>
    private long _masterDownDue;

    private void ArmMasterDown(TimeSpan due)
    {
        var frequency = _time.TimestampFrequency;
        _masterDownDue = _time.GetTimestamp() + (frequency == TimeSpan.TicksPerSecond ? due.Ticks : (long)(due.Ticks * (double)frequency / TimeSpan.TicksPerSecond));
        _masterDownTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void DisarmMasterDown()
    {
        _masterDownDue = 0;
        _masterDownTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void OnMasterDownTimer()
    {
        using var settle = new Settling(this);
        lock (_gate)
        {
            var left = _masterDownDue - _time.GetTimestamp();
            if (_masterDownDue == 0 || left > 0)
            {
                // Disarmed, or rearmed since this run was started: the timer fires again at the new deadline (set once
                // more here, so that a run that came early cannot be lost).
                if (_masterDownDue != 0)
                {
                    _masterDownTimer.Change(TimeSpan.FromSeconds((double)left / _time.TimestampFrequency), Timeout.InfiniteTimeSpan);
                }
                return;
            }
            if (State == VrrpState.Backup)
            {
                BecomeMaster(_preemptAt is { } at && _time.GetUtcNow() >= at ? "preempt delay elapsed, lower-priority master ignored" : "master down");
            }
        }
    }

    private void BecomeMaster(string reason)
    {
        DisarmMasterDown();
        _preemptAt = null;
        MasterSeen = Settings.PrimaryAddress;
        // As keepalived: one advert first, then the VIPs and their announcements.
        Advertise();
        _actions.TakeVirtualAddresses();
        SetState(VrrpState.Master, reason);
    }

    /// <summary>Sends an advert now and the next one an Advertisement_Interval later.</summary>
    private void Advertise()
    {
        _actions.SendAdvertisement(Priority);
        _adverTimer.Change(Settings.AdvertisementInterval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A master gives up with a priority-0 advert and releases its VIPs; a backup just stops waiting.</summary>
    private void EnterFault(string reason)
    {
        LeaveCurrentState(sendPriorityZero: true);
        SetState(VrrpState.Fault, reason);
    }

    private void EnterBackup(string reason)
    {
        _masterAdverInterval = Settings.AdvertisementInterval;
        _preemptAt = null;
        ArmMasterDown(MasterDownInterval);
        SetState(VrrpState.Backup, reason);
    }

    private void LeaveCurrentState(bool sendPriorityZero)
    {
        _adverTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        DisarmMasterDown();
        if (State == VrrpState.Master)
        {
            if (sendPriorityZero)
            {
                _actions.SendAdvertisement(0);
            }
            _actions.ReleaseVirtualAddresses();
        }
    }

    private void LearnInterval(TimeSpan maxAdverInterval)
    {
        // RFC 5798 section 6.4.2: v3 backups adopt the master's interval; v2 requires them to match.
        if (Settings.Version == 3 && maxAdverInterval > TimeSpan.Zero)
        {
            _masterAdverInterval = maxAdverInterval;
        }
    }

    private void SetState(VrrpState to, string reason)
    {
        var from = State;
        State = to;
        if (from != to)
        {
            _actions.StateChanged(from, to, reason);
            if (to != VrrpState.Initialize)
            {
                _group?.MemberChanged(this, to, reason);
            }
        }
    }

    /// <summary>Addresses compared as unsigned integers in network byte order (RFC 5798 section 6.4.3).</summary>
    internal static int Compare(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out var lengthA);
        b.TryWriteBytes(y, out var lengthB);
        return lengthA != lengthB ? lengthA.CompareTo(lengthB) : x[..lengthA].SequenceCompareTo(y[..lengthB]);
    }

    /// <summary>
    /// Disposed after the lock is released: each instance that may have changed does what must not run under it (its
    /// VIPs on the kernel). A sync group's members change together, so all of them are told.
    /// </summary>
    private readonly ref struct Settling(VrrpStateMachine machine)
    {
        public void Dispose()
        {
            if (machine._group is not { } group)
            {
                machine._actions.Settled();
                return;
            }
            VrrpStateMachine[] members;
            lock (machine._gate)
            {
                members = [.. group.Members];
            }
            foreach (var member in members)
            {
                member._actions.Settled();
            }
        }
    }

    public void Dispose()
    {
        _group?.Remove(this);
        _adverTimer.Dispose();
        _masterDownTimer.Dispose();
    }
}
