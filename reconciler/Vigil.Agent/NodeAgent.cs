using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent;

/// <summary>
/// Runs one node's VRRP instances: applies a desired state with the fewest moves (see <see cref="ReloadPlan"/>),
/// keeps tracked-interface priorities current, stops everything cleanly. Calls are serialized.
/// </summary>
public sealed class NodeAgent(IVirtualRouterPorts ports, TimeProvider time, ILogger log) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, VirtualRouter> _routers = [];
    private readonly Dictionary<string, VrrpSyncGroup> _groups = [];
    private readonly Queue<AddressDrift> _drift = new();
    private readonly Dictionary<AddressDriftKind, long> _driftCounts = [];
    private IReadOnlyList<NetworkLink> _links = [];

    /// <summary>How many address drifts the status keeps (the counts keep everything).</summary>
    private const int DriftKept = 50;

    /// <summary>
    /// What the previous run of the agent left (from its status file): an instance it was master of resumes as master
    /// on its first start if the kernel still holds all its VIPs and no backup can have taken over (see
    /// <see cref="Resumes"/>). Considered once per instance.
    /// </summary>
    public PreviousRun? Predecessor { get; set; }

    /// <summary>What was heard on the predecessor's VRIDs since the agent started (see <see cref="Resumes"/>); null: nothing listened.</summary>
    public StartupWitness? Witness { get; set; }

    private readonly HashSet<string> _resumeConsidered = [];

    // Instances the running revision wants that could not start, with why (an interface that is not there yet).
    private readonly Dictionary<string, string> _notStarted = new(StringComparer.Ordinal);

    // The interface index each router's sockets are bound to: a link deleted and made again has another.
    private readonly Dictionary<string, int> _boundTo = new(StringComparer.Ordinal);

    /// <summary>Whether a vrrp_script is OK now (the health scheduler's results); every script is OK until told otherwise.</summary>
    public Func<string, bool> ScriptHealthy { get; set; } = static _ => true;

    /// <summary>The number in a track file now (the watcher's last read); 0 until told otherwise.</summary>
    public Func<string, long> TrackFileValue { get; set; } = static _ => 0;

    /// <summary>Whether a tracked process's quorum holds (the process watcher's count).</summary>
    public Func<TrackProcessSpec, bool> TrackProcessUp { get; set; } = static _ => false;

    /// <summary>The desired state last applied.</summary>
    public NodeDesiredState? Running { get; private set; }

    /// <summary>A transition, with the definition the instance runs (its notify hooks): raised on the engine's thread after its lock is released, in order.</summary>
    public event Action<StateTransition, NodeVrrpInstance>? Transitioned;

    /// <summary>
    /// Moves the running instances to <paramref name="next"/>: stops what went away or changed beyond repair first
    /// (freeing VIPs and sockets), adjusts in place what can be, then starts the rest. An instance that cannot start
    /// (say its interface is missing) is logged and left out; the others run.
    /// </summary>
    public IReadOnlyList<InstanceReload> Apply(NodeDesiredState next)
    {
        lock (_gate)
        {
            var plan = ReloadPlan.Between(Running, next);
            ports.Pace(next.Pacing);
            var instances = next.VrrpInstances.ToDictionary(i => i.Name);
            var previous = Running?.VrrpInstances.ToDictionary(i => i.Name) ?? [];
            var inPlace = plan.Where(s => s.Action == InstanceAction.Restart && _routers.TryGetValue(s.Instance, out var r)
                && RestartsInPlace(r, instances[s.Instance])).Select(s => s.Instance).ToHashSet();
            foreach (var step in plan.Where(s => s.Action is InstanceAction.Stop or InstanceAction.Restart && !inPlace.Contains(s.Instance)))
            {
                StopRouter(step.Instance);
            }
            foreach (var gone in _groups.Keys.Where(g => next.SyncGroups.All(s => s.Name != g)).ToList())
            {
                _groups.Remove(gone);
            }
            foreach (var step in plan)
            {
                switch (step.Action)
                {
                    case InstanceAction.Adjust when _routers.TryGetValue(step.Instance, out var router):
                        TryRun(step.Instance, () =>
                        {
                            router.Redefine(instances[step.Instance], ports.Resolve(instances[step.Instance]));
                            router.Tolerate(previous[step.Instance], next.RolloutWindow);
                        });
                        break;
                    case InstanceAction.Restart when inPlace.Contains(step.Instance):
                        TryRun(step.Instance, () => RestartInPlace(previous[step.Instance], instances[step.Instance], next.RolloutWindow));
                        break;
                    case InstanceAction.Start or InstanceAction.Restart:
                    case InstanceAction.Adjust or InstanceAction.Keep when !_routers.ContainsKey(step.Instance):
                        TryRun(step.Instance, () => StartRouter(instances[step.Instance], previous.GetValueOrDefault(step.Instance), next.RolloutWindow));
                        break;
                }
            }
            foreach (var gone in _notStarted.Keys.Where(name => !instances.ContainsKey(name)).ToList())
            {
                _notStarted.Remove(gone);
            }
            Running = next;
            TrackLinks(ports.Links());
            return plan;
        }
    }

    /// <summary>
    /// While the node waits for its turn in a rollout, its running instances also take the adverts <paramref name="next"/>
    /// has (for its rollout window): a peer whose turn came first is heard, not taken over from, whatever order it chose.
    /// </summary>
    public void TolerateNext(NodeDesiredState next)
    {
        if (next.RolloutWindow <= TimeSpan.Zero)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var instance in next.VrrpInstances)
            {
                if (_routers.TryGetValue(instance.Name, out var router))
                {
                    router.Tolerate(instance, next.RolloutWindow);
                }
            }
        }
    }

    /// <summary>What the running revision asks for that does not run, each with its reason; empty when all runs.</summary>
    public IReadOnlyList<string> NotRunning()
    {
        lock (_gate)
        {
            return [.. _notStarted.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"instance {n.Key}: not running: {n.Value}")];
        }
    }

    /// <summary>The running revision's instances that do not run, each with why.</summary>
    public IReadOnlyDictionary<string, string> NotStarted()
    {
        lock (_gate)
        {
            return new Dictionary<string, string>(_notStarted, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Level-based: starts every instance of the running revision that does not run (its interface appeared since,
    /// say). Those that still cannot start stay in <see cref="NotRunning"/>, logged again only when the reason changes.
    /// </summary>
    public void StartMissing()
    {
        lock (_gate)
        {
            foreach (var instance in Running?.VrrpInstances.Where(i => !_routers.ContainsKey(i.Name)) ?? [])
            {
                TryRun(instance.Name, () => StartRouter(instance));
            }
            TrackLinks(ports.Links());
        }
    }

    /// <summary>A vrrp_script's result or a track file's number changed: recompute tracked priorities and faults.</summary>
    public void TracksChanged()
    {
        lock (_gate)
        {
            TrackLinks(_links);
        }
    }

    /// <summary>Links changed (the watcher saw an RTM_NEWLINK): recompute tracked priorities and faults.</summary>
    public void LinksChanged(IReadOnlyList<NetworkLink> links)
    {
        lock (_gate)
        {
            TrackLinks(links);
        }
    }

    /// <summary>
    /// An address changed in the kernel (the watcher saw RTM_NEWADDR/RTM_DELADDR): a change the agent did not make on
    /// an interface it manages is logged and kept for the drift report. Nothing is undone here.
    /// </summary>
    public void AddressChanged(AddressEvent change)
    {
        lock (_gate)
        {
            // The VIPs change on their own thread, around the state's change: the agent's own move agrees with the
            // state, with what was last asked, or with what the instance itself put on the kernel (its notification can
            // come after a takeover was undone), so an add is ours if any says hold, a removal if any says not.
            var managed = _routers.Values.Select(r => new ManagedAddresses(
                r.Instance.Name,
                change.Added
                    ? r.State == VrrpState.Master || r.WantsVips || r.MadeVip(change.Address)
                    : r.State == VrrpState.Master && r.WantsVips && r.MadeVip(change.Address),
                _links.Where(l => l.Name == r.Instance.Interface).Select(l => l.Index).Concat(r.Addresses.Select(a => a.InterfaceIndex)).ToHashSet(),
                r.Addresses)).ToList();
            if (AddressDriftClassifier.Classify(change, managed, time.GetUtcNow()) is not { } drift)
            {
                return;
            }
            _drift.Enqueue(drift);
            if (_drift.Count > DriftKept)
            {
                _drift.Dequeue();
            }
            _driftCounts[drift.Kind] = _driftCounts.GetValueOrDefault(drift.Kind) + 1;
            var address = change.Address;
            log.Warning("{Instance}: address drift {Kind}: {Address}/{PrefixLength} {Change} interface {InterfaceIndex} by someone else",
                drift.Instance, drift.Kind, address.Address, address.PrefixLength, change.Added ? "added to" : "removed from", address.InterfaceIndex);
        }
    }

    /// <summary>The address changes others made, latest last, and how many of each kind since the start.</summary>
    public (IReadOnlyList<AddressDrift> Latest, IReadOnlyDictionary<AddressDriftKind, long> Counts) AddressDrifts()
    {
        lock (_gate)
        {
            return ([.. _drift], new Dictionary<AddressDriftKind, long>(_driftCounts));
        }
    }

    /// <summary>Graceful stop of every instance: priority-0 adverts, VIPs removed.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            foreach (var name in _routers.Keys.ToList())
            {
                StopRouter(name);
            }
            Running = null;
        }
    }

    /// <summary>The routes and rules wanted now: the running revision's static ones, and the virtual ones of each instance holding its VIPs.</summary>
    public RoutingEntries WantedRouting()
    {
        lock (_gate)
        {
            if (Running is not { } state)
            {
                return RoutingEntries.None;
            }
            var links = ports.Links();
            return _routers.Values.Where(r => r.WantsVips).Select(r => r.Instance)
                .Aggregate(RoutingEntries.StaticAddresses(state.StaticAddresses, links).And(RoutingEntries.Resolve(state.StaticRoutes, state.StaticRules, links, "node")),
                    (all, i) => all.And(RoutingEntries.Resolve(i.VirtualRoutes, i.VirtualRules, links, i.Name)));
        }
    }

    /// <summary>Accept mode off as wanted now: the tables while any instance runs without it, and the VIPs of those that are master.</summary>
    public Firewall.NoAcceptRules WantedFirewall()
    {
        lock (_gate)
        {
            if (Running is not { } state || state.VrrpInstances.All(i => i.Accept))
            {
                return Firewall.NoAcceptRules.None;
            }
            var dropped = _routers.Values.Where(r => r.WantsVips && !r.Instance.Accept)
                .SelectMany(r => r.Instance.VirtualAddresses.Concat(r.Instance.ExcludedAddresses))
                .Select(a => a.Address.Address).Distinct().ToList();
            return new Firewall.NoAcceptRules(true, dropped);
        }
    }

    public IReadOnlyList<VirtualRouterStatus> Status()
    {
        lock (_gate)
        {
            return [.. _routers.Values.Select(r => r.Status()).OrderBy(s => s.Name, StringComparer.Ordinal)];
        }
    }

    /// <param name="previous">The instance's definition in the revision before, if it had one: its peers may still run it.</param>
    /// <param name="inPlace">Why the router starts as master in place of the previous one, which left its VIPs (see <see cref="RestartInPlace"/>).</param>
    private void StartRouter(NodeVrrpInstance instance, NodeVrrpInstance? previous = null, TimeSpan window = default, string? inPlace = null)
    {
        // Ports first: with a virtual MAC they make the macvlan the VIPs resolve to.
        var tolerates = previous is not null && window > TimeSpan.Zero;
        var opened = ports.Open(instance, joinGroup: tolerates && previous!.Transport == VrrpTransport.Multicast);
        IReadOnlyList<InterfaceAddress> addresses;
        try
        {
            addresses = ports.Resolve(instance);
        }
        catch
        {
            opened.Dispose();
            throw;
        }
        if (!VirtualRouter.Rehearse(instance, addresses, time))
        {
            log.Warning("{Instance}: the rehearsed takeover did not complete; the first real one may be a few ms slower", instance.Name);
        }
        var group = instance.SyncGroup is { } name
            ? _groups.TryGetValue(name, out var existing) ? existing : _groups[name] = new VrrpSyncGroup(name)
            : null;
        var router = new VirtualRouter(instance, addresses, opened, time, log, group);
        router.Transitioned += t => Transitioned?.Invoke(t, router.Instance);
        _routers[instance.Name] = router;
        if (ports.Links().FirstOrDefault(l => l.Name == instance.Interface) is { } link)
        {
            _boundTo[instance.Name] = link.Index;
        }
        if (tolerates)
        {
            router.Tolerate(previous!, window);
        }
        router.Start(inPlace ?? Resumes(instance, addresses), inPlace is not null);
    }

    /// <summary>
    /// Whether a master's restart for a reload can keep its VIPs and send no priority-0 advert: the new definition
    /// starts as master where the old one stood. Only for the configured master (the highest priority); not for the
    /// address owner (it starts as master anyway), a virtual MAC (its link changes with the VRID) or a sync group (its
    /// members move together).
    /// </summary>
    private static bool RestartsInPlace(VirtualRouter router, NodeVrrpInstance next)
    {
        var old = router.Instance;
        // Only the configured master: a backup that is master because it took over gives way as usual (its priority-0
        // advert makes the real master announce itself; kept in place it would step down later with no one telling
        // the clients: a 3.7-5 s outage measured in the lab).
        return router.State == VrrpState.Master && old.PreferredMaster && next.PreferredMaster && old.Priority != 255 && next.Priority != 255
            && !old.UseVirtualMac && !next.UseVirtualMac && old.SyncGroup is null && next.SyncGroup is null
            && old.Interface == next.Interface && old.Family == next.Family;
    }

    /// <summary>
    /// A master whose instance changed on the wire (version, VRID, authentication, transport): the old router goes
    /// without a word and the new one starts as master on the VIPs the old one held, so no peer sees the master leave.
    /// A backup that runs the old revision still hears it within its rollout window; one that runs neither takes over,
    /// which is why a group applies such a change to its backups first (see the change-order table). Other VIPs mean
    /// another kernel change: then the usual stop and start.
    /// </summary>
    private void RestartInPlace(NodeVrrpInstance previous, NodeVrrpInstance next, TimeSpan window)
    {
        var old = _routers[next.Name];
        var held = old.Addresses;
        var addresses = ports.Resolve(next);
        if (addresses.Count != held.Count || !addresses.All(held.Contains))
        {
            StopRouter(next.Name);
            StartRouter(next, previous, window);
            return;
        }
        _routers.Remove(next.Name);
        _boundTo.Remove(next.Name);
        old.Dispose();
        StartRouter(next, previous, window, $"restarted in place for the new revision, its {addresses.Count} VIP(s) kept");
        log.Information("{Instance}: restarted in place as master for the new revision (VRID {VirtualRouterId}, version {Version}, {Transport}); no priority-0 advert, VIPs kept",
            next.Name, next.VirtualRouterId, next.Version, next.Transport);
    }

    /// <summary>
    /// The reason to resume as master, or null to start as usual. Only an instance the predecessor was master of, with
    /// every VIP still on the interface. Within three advert intervals of the predecessor's last status no backup can
    /// have taken over (its Master_Down_Interval is longer). Later, a slow start is not taken as a takeover: the
    /// <see cref="Witness"/> has listened since the agent came up, and if no other router advertised on the VRID for a
    /// whole interval, nobody is master there. Anything heard, or nothing to listen with, starts as backup.
    /// </summary>
    private string? Resumes(NodeVrrpInstance instance, IReadOnlyList<InterfaceAddress> addresses)
    {
        if (Predecessor is not { } previous || previous.Masters.All(m => m.Name != instance.Name) || !_resumeConsidered.Add(instance.Name)
            || addresses.Count == 0)
        {
            return null;
        }
        var held = ports.Addresses();
        var missing = addresses.Where(a => !held.Any(h => h.InterfaceIndex == a.InterfaceIndex && h.Address.Equals(a.Address))).ToList();
        if (missing.Count > 0)
        {
            log.Information("{Instance}: was master before the restart, but {Address} is no longer on the interface: starting as backup",
                instance.Name, missing[0].Address);
            return null;
        }
        var silent = time.GetUtcNow() - previous.LastWritten;
        var resumed = $"resumed: master {silent.TotalMilliseconds:F0} ms before the restart, its {addresses.Count} VIP(s) still on {instance.Interface}";
        if (silent < 3 * instance.AdvertInterval)
        {
            return resumed;
        }
        var ipv6 = instance.Family == IpFamily.IPv6;
        if (Witness?.ListenedOn(instance.Interface, ipv6) is not { } listened)
        {
            log.Information("{Instance}: was master before the restart, but {Silent:F0} ms ago and nothing listened since: a backup may have taken over, starting as backup",
                instance.Name, silent.TotalMilliseconds);
            return null;
        }
        // A master advertises every interval; a quarter more (20 ms at least) covers its timer's and this host's jitter.
        var enough = instance.AdvertInterval + TimeSpan.FromTicks(Math.Max(instance.AdvertInterval.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks));
        if (listened < enough)
        {
            Task.Delay(enough - listened, time).GetAwaiter().GetResult();
            listened = enough;
        }
        if (Witness.From(instance.VirtualRouterId, ipv6, source => held.Any(h => h.Address.Equals(source))) is [var other, ..])
        {
            log.Information("{Instance}: was master before the restart, but {Source} advertised VRID {VirtualRouterId} (priority {Priority}) since this agent started: starting as backup",
                instance.Name, other.Source, instance.VirtualRouterId, other.Priority);
            return null;
        }
        return $"{resumed}, no other master heard in {listened.TotalMilliseconds:F0} ms";
    }

    /// <summary>
    /// Leaves for a restart: the VIPs stay in the kernel and no priority-0 advert is sent, so the next run resumes as
    /// master (<see cref="Predecessor"/>). Nothing runs afterwards; the process is expected to exit.
    /// </summary>
    public void Leave()
    {
        lock (_gate)
        {
            _routers.Clear();
            Running = null;
        }
    }

    private void StopRouter(string name)
    {
        _boundTo.Remove(name);
        if (_routers.Remove(name, out var router))
        {
            router.Stop();
            router.Dispose();
        }
    }

    private void TryRun(string instance, Action action)
    {
        try
        {
            action();
            if (_notStarted.Remove(instance))
            {
                log.Information("{Instance}: started now", instance);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or Vigil.Netlink.NetlinkException or SharpPcap.PcapException)
        {
            if (!_notStarted.TryGetValue(instance, out var known) || known != e.Message)
            {
                log.Error("{Instance}: not started: {Error}", instance, e.Message);
            }
            _notStarted[instance] = e.Message;
            StopRouter(instance);
        }
    }

    /// <summary>
    /// keepalived's rules: the instance's own interface going down is a fault; tracked interfaces, scripts and files
    /// move the priority by their weight, or fault it with weight 0.
    /// </summary>
    private void TrackLinks(IReadOnlyList<NetworkLink> links)
    {
        _links = links;
        // An interface deleted and made again under a running instance: its sockets are bound to an index that no
        // longer exists, so it is started again on the new one (keepalived reopens them the same way).
        var rebind = _routers.Keys.Where(name => _boundTo.TryGetValue(name, out var index)
            && links.FirstOrDefault(l => l.Name == _routers[name].Instance.Interface) is { } now && now.Index != index).ToList();
        foreach (var name in rebind)
        {
            var instance = _routers[name].Instance;
            log.Warning("{Instance}: interface {Interface} came back with index {Index} (was {Old}): starting again on it",
                name, instance.Interface, links.First(l => l.Name == instance.Interface).Index, _boundTo[name]);
            StopRouter(name);
            TryRun(name, () => StartRouter(instance));
        }
        foreach (var router in _routers.Values)
        {
            var instance = router.Instance;
            bool Up(string name) => links.FirstOrDefault(l => l.Name == name)?.IsUp ?? false;
            IEnumerable<TrackResult> tracks =
            [
                new TrackResult($"interface {instance.Interface}", 0, Up(instance.Interface)),
                .. instance.TrackInterfaces.Select(t => new TrackResult($"interface {t.Name}", t.Weight, Up(t.Name))),
                .. instance.TrackScripts.Select(t => new TrackResult($"script {t.Name}", t.Weight ?? 0, ScriptHealthy(t.Name))),
                .. instance.TrackFiles.Select(t => TrackResult.File($"file {t.File}", TrackFileValue(t.File), t.Weight, t.Reverse)),
                .. instance.TrackProcesses.Select(t => TrackResult.Process($"process {t.Process}", TrackProcessUp(t), t.Weight, t.Reverse)),
            ];
            var effective = TrackedPriority.Compute(instance.Priority, tracks);
            router.UpdatePriority(effective.Priority);
            router.SetFault(effective.IsFault, effective.FaultReason ?? "tracked interfaces up");
        }
    }

    public void Dispose() => Stop();
}
