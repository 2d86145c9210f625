using System.Net;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// One VRRP instance running on this node: its channel's adverts go through the filter into the state
/// machine, whose actions send adverts, add or remove the VIPs and announce them. A receive thread per
/// instance; the machine's timers drive everything else.
/// </summary>
public sealed class VirtualRouter : IVrrpActions, IDisposable
{
    // Long, so that ten idle instances cost next to nothing; nobody waits for it (see Dispose).
    private static readonly TimeSpan ReceivePoll = TimeSpan.FromSeconds(1);
    // While the kernel drops a flood, the loop wakes often enough to lift the filter on time.
    private static readonly TimeSpan FloodPoll = TimeSpan.FromMilliseconds(250);

    private readonly VirtualRouterPorts _ports;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly RepeatedWarnings _warnings;
    private long _addressListMismatches;
    private string? _lastAddressListMismatch;

    private readonly AdvertisementFilter _filter;
    private readonly VrrpStateMachine _machine;
    private readonly ITimer _announceTimer;
    private readonly ITimer _lowerPriorityTimer;
    private readonly VipHolder _vips;

    // Transitions happen under the machine's lock and are told after it (Settled), one teller at a time, in order.
    private readonly Queue<(StateTransition Transition, double? Silent)> _reports = new();
    private readonly Lock _reporting = new();
    private readonly Thread _receiver;
    private volatile bool _stopping;

    // The channel is closed by whoever ends last: Dispose, or the receive thread leaving its poll.
    private readonly Lock _channelGate = new();
    private bool _receiverDone = true;
    private bool _closeChannelOnExit;
    private volatile Definition _definition;
    private readonly RouterSightings _sightings = new();
    private readonly Lock _filterGate = new();
    private int _filterBelow = -1;
    private readonly AdvertFlood _flood = new();
    private long _sent;
    private long _received;
    private long _becameMaster;
    private int _announceRounds;
    private long _lastHeard;
    private bool _startsInPlace;
    private DateTimeOffset _since;
    private string _reason = "not started";

    /// <summary>What reloads may change in place, swapped as one value so the timers see a consistent set.</summary>
    private sealed record Definition(NodeVrrpInstance Instance, IReadOnlyList<InterfaceAddress> Addresses);

    /// <summary>What <see cref="Definition"/> sends at <see cref="Priority"/>; compared by reference, never by value.</summary>
    private sealed class OutgoingAdvert(Definition definition, int priority, VrrpAdvertisement advertisement, IPAddress[] destinations)
    {
        public Definition Definition { get; } = definition;
        public int Priority { get; } = priority;
        public VrrpAdvertisement Advertisement { get; } = advertisement;
        public IPAddress[] Destinations { get; } = destinations;
    }

    private OutgoingAdvert? _outgoing;

    public VirtualRouter(NodeVrrpInstance instance, IReadOnlyList<InterfaceAddress> addresses, VirtualRouterPorts ports,
        TimeProvider time, ILogger log, VrrpSyncGroup? group = null)
    {
        _definition = new Definition(instance, addresses);
        _ports = ports;
        _time = time;
        // Every event of this instance carries its VRID, for the structured (JSON) log.
        _log = log.ForContext("VirtualRouterId", instance.VirtualRouterId);
        _warnings = new RepeatedWarnings(time, TimeSpan.FromSeconds(10));
        _since = time.GetUtcNow();
        _filter = new AdvertisementFilter(InstanceWireForm.ExpectationOf(instance, ports.Channel.SourceAddress));
        _machine = new VrrpStateMachine(InstanceWireForm.SettingsOf(instance, ports.Channel.SourceAddress), this, time, group);
        _vips = new VipHolder(instance.Name, ports.Addresses, ports.Announcer, _log, _warnings);
        _announceTimer = time.CreateTimer(_ => AnnounceLater(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _lowerPriorityTimer = time.CreateTimer(_ => AnnounceAfterLowerPriority(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = $"vrrp {instance.Name}" };
    }

    public NodeVrrpInstance Instance => _definition.Instance;

    /// <summary>The kernel addresses this instance holds as master (VIPs and excluded addresses).</summary>
    public IReadOnlyList<InterfaceAddress> Addresses => _definition.Addresses;

    public VrrpState State => _machine.State;

    /// <summary>Whether the VIPs were last asked onto the kernel (the state machine asks just before it says Master, and just before it leaves it).</summary>
    public bool WantsVips => _vips.WantsHeld;

    /// <summary>Whether this instance put <paramref name="address"/> on the kernel (or is putting it there now).</summary>
    public bool MadeVip(InterfaceAddress address) => _vips.Made(address);

    public event Action<StateTransition>? Transitioned;

    /// <summary>Starts as backup (or master for the address owner); <paramref name="resumeAsMaster"/>: see <see cref="VrrpStateMachine.Start"/>.</summary>
    /// <param name="inPlace">
    /// This router takes over from the instance's previous one, which was master and left its VIPs (a reload that
    /// changed the instance on the wire): the start is no transition, so it is neither logged as one nor told.
    /// </param>
    public void Start(string? resumeAsMaster = null, bool inPlace = false)
    {
        _startsInPlace = inPlace && resumeAsMaster is not null;
        if (_machine.Settings.Priority != 255 && resumeAsMaster is null)
        {
            // A backup must not hold the VIPs: a crashed run may have left them (keepalived clears them too).
            foreach (var address in _definition.Addresses.Where(_ports.Addresses.Delete))
            {
                _log.Warning("{Instance}: removed {Address}/{PrefixLength} left on the interface by an earlier run",
                    Instance.Name, address.Address, address.PrefixLength);
            }
        }
        WarmUp();
        // The machine first: an advert the receive thread reads while the machine is still in Initialize would be
        // ignored (RFC 5798 6.4.1), and the rehearsal's one goodbye advert lost with it.
        _machine.Start(resumeAsMaster);
        lock (_channelGate)
        {
            _receiverDone = false;
        }
        _receiver.Start();
    }

    /// <summary>Graceful stop: a master sends a priority-0 advert and removes its VIPs.</summary>
    public void Stop()
    {
        _machine.Stop();
        if (!_vips.WaitUntilDone(StopBound))
        {
            _log.Error("{Instance}: VIPs not removed within {Bound}: the kernel may still hold them", Instance.Name, StopBound);
        }
        _stopping = true;
    }

    /// <summary>Waits until the kernel holds what the state and the latest definition ask (VIPs change on their own thread).</summary>
    public bool WaitForAddresses() => _vips.WaitUntilDone(StopBound);

    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    public void UpdatePriority(int priority) => _machine.UpdatePriority(priority);

    public void SetFault(bool fault, string reason) => _machine.SetFault(fault, reason);

    /// <summary>
    /// A reload changed only what can change in place (VIPs, priority, v3's advert interval, GARP, tracking, hooks): a master adds the
    /// new VIPs, removes the old ones and announces the new ones; the state is kept.
    /// </summary>
    public void Redefine(NodeVrrpInstance instance, IReadOnlyList<InterfaceAddress> addresses)
    {
        if (instance.AdvertInterval != Instance.AdvertInterval)
        {
            _machine.UpdateAdvertisementInterval(instance.AdvertInterval);
        }
        // The priority is the agent's to set: it recomputes tracking from the new definition. Under the machine's lock,
        // so that the edit and a transition are ordered: the holder is told the one that came last.
        var own = _ports.Channel.SourceAddress;
        _filter.Expect(InstanceWireForm.ExpectationOf(instance, own));
        _machine.Serialized(state =>
        {
            _definition = new Definition(instance, addresses);
            if (state == VrrpState.Master)
            {
                _vips.Want(addresses, hold: true, instance.Garp.Repeat);
            }
        });
    }

    /// <summary>
    /// A rollout of this instance is under way: adverts as <paramref name="other"/> (the revision before, or the one
    /// about to apply) expects them are taken too, for <paramref name="window"/>, and counted.
    /// </summary>
    public void Tolerate(NodeVrrpInstance other, TimeSpan window)
    {
        if (!InstanceWireForm.SameOnTheWire(other, Instance))
        {
            _filter.Tolerate(InstanceWireForm.ExpectationOf(other, _ports.Channel.SourceAddress),
                _time.GetTimestamp() + (long)(window.TotalSeconds * _time.TimestampFrequency));
        }
    }

    public VirtualRouterStatus Status() => new(
        Instance.Name, _machine.State, _machine.Priority, _machine.MasterSeen, _since, _reason,
        Interlocked.Read(ref _sent), Interlocked.Read(ref _received), Interlocked.Read(ref _becameMaster), _filter.DropCounts())
    {
        Routers = _sightings.All(),
        Interface = Instance.Interface,
        VirtualRouterId = Instance.VirtualRouterId,
        Ipv6 = Instance.Family == IpFamily.IPv6,
        AddressListMismatches = Interlocked.Read(ref _addressListMismatches),
        LastAddressListMismatch = Volatile.Read(ref _lastAddressListMismatch),
        KernelDropsBelow = Math.Max(0, Volatile.Read(ref _filterBelow)),
        ToleratedAdverts = _filter.Tolerated,
        ToleratingUntil = _filter.ToleratingUntil(_time.GetTimestamp()) is { } until
            ? _time.GetUtcNow() + TimeSpan.FromSeconds((until - _time.GetTimestamp()) / (double)_time.TimestampFrequency)
            : null,
    };

    void IVrrpActions.SendAdvertisement(int priority)
    {
        var definition = _definition;
        var instance = definition.Instance;
        var channel = _ports.Channel;
        // The same advert every interval until the priority or the definition changes: made once, not per send.
        var outgoing = _outgoing;
        if (outgoing is null || !ReferenceEquals(outgoing.Definition, definition) || outgoing.Priority != priority)
        {
            _outgoing = outgoing = new OutgoingAdvert(definition, priority, InstanceWireForm.AdvertisementOf(instance, priority),
                instance.Transport == VrrpTransport.Unicast ? [.. instance.UnicastPeers] : [InstanceWireForm.MulticastGroup(instance.Family)]);
        }
        var advertisement = outgoing.Advertisement;
        foreach (var destination in outgoing.Destinations)
        {
            try
            {
                channel.Send(advertisement, destination);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                if (_warnings.ShouldLog($"advert to {destination}: {e.Message}", out var suppressed))
                {
                    _log.Warning("{Instance}: advert to {Destination} not sent: {Error}{Repeated}", instance.Name, destination, e.Message, RepeatedWarnings.Suffix(suppressed));
                }
            }
        }
    }

    void IVrrpActions.TakeVirtualAddresses()
    {
        var definition = _definition;
        _vips.Want(definition.Addresses, hold: true, definition.Instance.Garp.Repeat);
        Interlocked.Increment(ref _becameMaster);
        _announceRounds = 0;
        var garp = definition.Instance.Garp;
        // keepalived: a second burst garp_master_delay later, then a refresh every garp_master_refresh.
        var first = garp.Delay > TimeSpan.Zero ? garp.Delay : garp.Refresh;
        if (first > TimeSpan.Zero)
        {
            _announceTimer.Change(first, Timeout.InfiniteTimeSpan);
        }
    }

    void IVrrpActions.ReleaseVirtualAddresses()
    {
        _announceTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _vips.Want(_definition.Addresses, hold: false, 0);
    }

    void IVrrpActions.HeardLowerPriority()
    {
        var garp = _definition.Instance.Garp;
        if (garp.LowerPriorityRepeat > 0)
        {
            _vips.Reannounce(garp.LowerPriorityRepeat);
            // Once more a moment later: the lower router's own takeover burst may reach the clients after this one (it
            // announces as it takes over, and hears our answer only then), and would leave them on a router that is
            // about to step down (seen in the chaos suite: a client without answers for 3.6 s after a mistaken takeover).
            if (garp.LowerPriorityDelay > TimeSpan.Zero)
            {
                _lowerPriorityTimer.Change(garp.LowerPriorityDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void AnnounceAfterLowerPriority()
    {
        if (_machine.State == VrrpState.Master && _definition.Instance.Garp.LowerPriorityRepeat is > 0 and var times)
        {
            _vips.Reannounce(times);
        }
    }

    void IVrrpActions.StateChanged(VrrpState from, VrrpState to, string reason)
    {
        _since = _time.GetUtcNow();
        _reason = reason;
        if (_startsInPlace && from == VrrpState.Initialize && to == VrrpState.Master)
        {
            _startsInPlace = false;
            return;
        }
        // How long the old master had been silent: the takeover's own timing, for the operator.
        double? silent = to == VrrpState.Master && _lastHeard != 0 ? System.Diagnostics.Stopwatch.GetElapsedTime(_lastHeard).TotalMilliseconds : null;
        lock (_reports)
        {
            _reports.Enqueue((new StateTransition(Instance.Name, from, to, reason, _machine.Priority, _since), silent));
        }
    }

    /// <summary>
    /// After the machine's lock: the VIPs first (a takeover's GARP waits for nothing else), then the transitions' log
    /// lines and events, in the order they happened.
    /// </summary>
    void IVrrpActions.Settled()
    {
        _vips.ApplyNowOrLater();
        FollowKernelFilter();
        lock (_reporting)
        {
            while (true)
            {
                (StateTransition Transition, double? Silent) next;
                lock (_reports)
                {
                    if (!_reports.TryDequeue(out next))
                    {
                        return;
                    }
                }
                var t = next.Transition;
                if (next.Silent is { } silent)
                {
                    _log.Information("{Instance}: {From} -> {To} ({Reason}, last advert heard {Silent:F1} ms ago), priority {Priority}",
                        t.Instance, t.From, t.To, t.Reason, silent, t.Priority);
                }
                else
                {
                    _log.Information("{Instance}: {From} -> {To} ({Reason}), priority {Priority}", t.Instance, t.From, t.To, t.Reason, t.Priority);
                }
                Transitioned?.Invoke(t);
            }
        }
    }

    /// <summary>
    /// During a flood (<see cref="AdvertFlood"/>), the receive socket drops in the kernel what the machine would discard
    /// in its present state and priority (see <see cref="LowerPriorityFilter"/>); otherwise every advert is heard, so
    /// that a foreign router and a peer's address list show in the status. Under a lock so that the last program put
    /// on is the latest state's.
    /// </summary>
    private void FollowKernelFilter()
    {
        lock (_filterGate)
        {
            var below = _flood.Engaged ? _machine.DiscardsBelow : 0;
            if (below == _filterBelow)
            {
                return;
            }
            try
            {
                _ports.Channel.Ignore(new LowerPriorityFilter((byte)Instance.VirtualRouterId, Instance.Version, below));
                if (below > 1 && _filterBelow <= 1)
                {
                    _log.Warning("{Instance}: advert flood: more than {Threshold} lower-priority adverts in a second; the kernel drops VRID {Vrid}'s below priority {Below} for {Hold}",
                        Instance.Name, AdvertFlood.Threshold, Instance.VirtualRouterId, below, AdvertFlood.Hold);
                }
                else if (below <= 1 && _filterBelow > 1)
                {
                    _log.Information("{Instance}: lower-priority adverts heard again (the flood filter is lifted)", Instance.Name);
                }
                Volatile.Write(ref _filterBelow, below);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                if (_warnings.ShouldLog($"kernel filter: {e.Message}", out var suppressed))
                {
                    _log.Warning("{Instance}: lower-priority adverts not filtered in the kernel: {Error}{Repeated}", Instance.Name, e.Message, RepeatedWarnings.Suffix(suppressed));
                }
            }
        }
    }

    private void AnnounceLater()
    {
        var garp = _definition.Instance.Garp;
        if (_machine.State != VrrpState.Master)
        {
            return;
        }
        // The delayed burst repeats as many as the first; each refresh sends refreshRepeat.
        var delayedBurst = _announceRounds++ == 0 && garp.Delay > TimeSpan.Zero;
        _vips.Reannounce(delayedBurst ? garp.Repeat : garp.RefreshRepeat);
        if (garp.Refresh > TimeSpan.Zero)
        {
            _announceTimer.Change(garp.Refresh, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReceiveLoop()
    {
        // An advert must rearm Master_Down_Timer when it arrives, not when the scheduler gets round to it.
        Interop.ThreadNice.TryRaise();
        try
        {
            Receive();
        }
        finally
        {
            lock (_channelGate)
            {
                _receiverDone = true;
                if (_closeChannelOnExit)
                {
                    _ports.Channel.Dispose();
                }
            }
        }
    }

    private void Receive()
    {
        while (!_stopping)
        {
            var received = _ports.Channel.Receive(_flood.Engaged ? FloodPoll : ReceivePoll);
            if (_flood.Changed(_time.GetTimestamp(), _time.TimestampFrequency))
            {
                FollowKernelFilter();
            }
            if (received is null)
            {
                continue;
            }
            var verdict = _filter.Check(received.Verdict, received.Source, received.Advertisement, _time.GetTimestamp(), out var match);
            if (received.Advertisement is { } heard && verdict is not (VrrpRejection.OtherVirtualRouter or VrrpRejection.OwnPacket)
                && heard.VirtualRouterId == Instance.VirtualRouterId)
            {
                _sightings.Heard(received.Source, heard.Priority, _machine.State == VrrpState.Master, _time.GetUtcNow());
            }
            if (verdict == VrrpRejection.AddressListMismatch)
            {
                NoteAddressList(received.Advertisement!, received.Source, dropped: true);
            }
            if (verdict != VrrpRejection.None)
            {
                continue;
            }
            Interlocked.Increment(ref _received);
            _lastHeard = System.Diagnostics.Stopwatch.GetTimestamp();
            var advertisement = received.Advertisement!;
            if (advertisement.Priority > 0 && advertisement.Priority < _machine.DiscardsBelow)
            {
                _flood.Discarded(_time.GetTimestamp(), _time.TimestampFrequency);
            }
            _machine.ReceiveAdvertisement(advertisement.Priority, advertisement.Interval, received.Source);
            if (match == AdvertMatch.OtherAddressList)
            {
                NoteAddressList(advertisement, received.Source, dropped: false);
            }
            else if (match == AdvertMatch.Tolerated && _warnings.ShouldLog($"tolerated from {received.Source}", out var suppressed))
            {
                _log.Information("{Instance}: took an advert from {Source} as the instance's other revision has it (a rollout under way: version {Version}, VRID {VirtualRouterId}){Repeated}",
                    Instance.Name, received.Source, advertisement.Version, advertisement.VirtualRouterId, RepeatedWarnings.Suffix(suppressed));
            }
        }
    }

    /// <summary>
    /// An advert whose address list differs from this instance's, as both RFCs ask a receiver to log: counted for the
    /// status, metrics and drift, logged once per sender per 10 s. Acted on unless the instance verifies lists (strict),
    /// in which case the filter dropped it.
    /// </summary>
    private void NoteAddressList(VrrpAdvertisement advertisement, IPAddress source, bool dropped)
    {
        var ours = Instance.VirtualAddresses.Select(a => a.Address.Address).ToHashSet();
        var theirs = advertisement.IpAddresses.ToHashSet();
        var missing = ours.Except(theirs).Select(a => a.ToString()).ToList();
        var extra = theirs.Except(ours).Select(a => a.ToString()).ToList();
        var how = $"{source} advertises {theirs.Count} address(es), this instance has {ours.Count}"
            + (missing.Count > 0 ? $"; not in its adverts: {string.Join(", ", missing)}" : "")
            + (extra.Count > 0 ? $"; not ours: {string.Join(", ", extra)}" : "");
        Interlocked.Increment(ref _addressListMismatches);
        Volatile.Write(ref _lastAddressListMismatch, how);
        if (_warnings.ShouldLog($"address list from {source}", out var suppressed))
        {
            _log.Warning("{Instance}: address list differs: {Mismatch}{Dropped}{Repeated}", Instance.Name, how,
                dropped ? " (dropped: the instance verifies address lists)" : "", RepeatedWarnings.Suffix(suppressed));
        }
    }


    /// <summary>
    /// Runs the takeover's pure code once (advert encoding, netlink requests) so that its first real run is not
    /// slowed by loading and compiling it: a takeover is timed against the RFC bound to the millisecond. The
    /// I/O edges warm themselves when they open (sockets send once to nowhere, the announcer sends a runt).
    /// </summary>
    private void WarmUp()
    {
        var scratch = new byte[1500];
        var source = _ports.Channel.SourceAddress;
        VrrpCodec.Encode(InstanceWireForm.AdvertisementOf(Instance, Instance.Priority), source, InstanceWireForm.MulticastGroup(Instance.Family), scratch);
        foreach (var address in _definition.Addresses)
        {
            _ = AddressMessages.ChangeRequest(add: true, address, 0);
        }
    }

    /// <summary>
    /// Plays a whole takeover and stop once, against ports that go nowhere, so that the first real one runs
    /// compiled code: cold, it was measured several ms slower than keepalived, whose takeover is within 0.3-5 ms
    /// of the RFC bound. The rehearsal takes the graceful path a real takeover takes: as a backup at priority 254
    /// it hears a priority-0 advert and becomes master when Skew_Time (under 8 ms) runs out on
    /// <paramref name="time"/>, the agent's own timers. Returns whether it took over that way (it always should).
    /// </summary>
    public static bool Rehearse(NodeVrrpInstance instance, IReadOnlyList<InterfaceAddress> addresses, TimeProvider time)
    {
        var peer = instance.Family == IpFamily.IPv6 ? RehearsalPeerIpv6 : RehearsalPeerIpv4;
        var goodbye = new ReceivedAdvertisement(VrrpRejection.None, peer, InstanceWireForm.MulticastGroup(instance.Family), InstanceWireForm.AdvertisementOf(instance, 0));
        using var router = new VirtualRouter(instance with { Priority = 254 }, addresses, RehearsalPorts.Create(goodbye), time, Serilog.Core.Logger.None);
        router.Start();
        // Within three advert intervals: before Master_Down_Interval could end, so only the goodbye can have done it.
        var tookOver = SpinWait.SpinUntil(() => router.State == VrrpState.Master, 3 * instance.AdvertInterval);
        router.Stop();
        var status = router.Status();
        return tookOver && status.BecameMaster == 1 && status.Dropped.Count == 0;
    }

    /// <summary>The rehearsal's imaginary master (documentation addresses; nothing is sent).</summary>
    private static readonly IPAddress RehearsalPeerIpv4 = IPAddress.Parse("203.0.113.254");
    private static readonly IPAddress RehearsalPeerIpv6 = IPAddress.Parse("2001:db8::fe");

    public void Dispose()
    {
        _stopping = true;
        _announceTimer.Dispose();
        _lowerPriorityTimer.Dispose();
        _machine.Dispose();
        _vips.Dispose();
        // The receive thread may be inside its poll for up to a second: it closes the channel as it leaves, so neither
        // a stop nor a reload waits for it. The announcer and a virtual-MAC link go now (a new instance may want them).
        _ports.Announcer.Dispose();
        _ports.Link?.Dispose();
        lock (_channelGate)
        {
            if (_receiverDone)
            {
                _ports.Channel.Dispose();
            }
            else
            {
                _closeChannelOnExit = true;
            }
        }
    }
}
