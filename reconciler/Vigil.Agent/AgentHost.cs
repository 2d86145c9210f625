using System.Diagnostics;
using Serilog;
using Vigil.Agent.Appliers;
using Vigil.Agent.Reconcile;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Core.Validation;
using Vigil.Health;
using Vigil.Notifications;
using Vigil.Netlink;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Source.Git;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>
/// Where the agent writes its status, and for a git source the state directory (clone, state file, history).
/// </summary>
public sealed record AgentOptions(string Node, string StatusFile, string? StateDirectory = null, DriftMode DriftMode = DriftMode.Report)
{
    /// <summary>The kernel watcher's receive buffer in bytes (see <see cref="NetlinkSocket.NotificationBuffer"/>).</summary>
    public int NetlinkBuffer { get; init; } = NetlinkSocket.NotificationBuffer;

    public string? StateFile => StateDirectory is null ? null : Path.Combine(StateDirectory, "state.json");

    public string? HistoryFile => StateDirectory is null ? null : Path.Combine(StateDirectory, ApplyHistory.FileName);
}

/// <summary>
/// The agent process around <see cref="NodeAgent"/>: reconciles the node with its source (a folder, or a git
/// repository fetched on an interval), applies a valid revision with the fewest moves, refuses an invalid one while
/// keeping the last good revision running, records what it did, and keeps the status file current. Every change of
/// the node's state runs on one worker (<see cref="ReconcileLoop"/>): watchers, health checks and signals only put a
/// request in <see cref="Requests"/>.
/// </summary>
public sealed class AgentHost : IReconciledNode, IDisposable
{
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How often a node waiting for its turn in a rollout asks its peers again.</summary>
    private static readonly TimeSpan AskPeersEvery = TimeSpan.FromSeconds(2);

    private readonly AgentOptions _options;
    private readonly IRevisionSource _source;
    private readonly SourceFetcher _fetcher;
    private readonly ILogger _log;
    private readonly INodeKernel _kernel;
    private readonly ScriptEnvironment _scriptEnvironment;
    private readonly TimeProvider _time;
    private readonly Peers.PeerStatusServer _peers;
    private readonly PreciseTimeProvider? _precise;
    private readonly NodeAgent _agent;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Timer _statusTimer;
    private readonly Lock _statusGate = new();
    private readonly DriftCheck _driftCheck;
    private IDisposable? _watcher;
    private ClusterSpec _cluster = new();
    private DriftReport? _drift;

    // What the agent cannot do now but runs without (a file it cannot write).
    private readonly AgentFileWrites _files;

    private readonly Appliers.NodeIpvs _ipvs;
    private readonly HealthBoard _health;
    private readonly VrrpScriptStates _scripts;
    private readonly QuorumTracker _quorum = new();
    private readonly TrackFileWatcher _trackFiles;
    private readonly Processes.ProcessWatcher _trackProcesses;
    private readonly NodeNotifier _notifier;
    private CheckScheduler? _checks;
    private DateTimeOffset _loadedAt;
    private volatile bool _stopped;

    // What the node runs and knows of its source; written under _statusGate's protection of the status writer.
    private readonly SourceRecord _record;
    private SourceRevision? _running;
    private LoadedRevision? _runningLoaded;
    private readonly Rollouts.RolloutTurn _turn;
    private string? _fetchError;
    private DateTimeOffset? _attemptedAt;
    private IReadOnlyList<string> _notApplied = [];
    private readonly RoutingApplier _routing;
    private readonly Firewall.FirewallApplier _firewall;
    private int _failedPasses;
    private PassResult? _lastPass;

    /// <summary>The worker's queue: signals, timers, watchers and health checks put their requests here.</summary>
    public ReconcileQueue Requests { get; } = new();

    /// <param name="kernel">The node's kernel (the real one when null); tests give a fake.</param>
    /// <param name="time">The engine's clock (precise timers when null); tests give fake time.</param>
    /// <param name="scripts">How the node runs scripts (the real node's when null).</param>
    /// <param name="peers">How a rollout asks the cluster's other agents (peer status when null).</param>
    public AgentHost(AgentOptions options, IRevisionSource source, ILogger log, INodeKernel? kernel = null, TimeProvider? time = null, ScriptEnvironment? scripts = null,
        Rollouts.IPeerProgress? peers = null)
    {
        _scriptEnvironment = scripts ?? ScriptEnvironment.Node;
        _fetcher = new SourceFetcher(source);
        _options = options;
        _source = source;
        _log = log.ForContext(new CommitEnricher(() => _running?.Commit)).ForContext("Node", options.Node);
        log = _log;
        _files = new AgentFileWrites(log);
        _record = new SourceRecord(options, _files);
        _kernel = kernel ?? new NodeKernel(log);
        _time = time ?? (_precise = new PreciseTimeProvider());
        // Peers sign with the wall clock whatever time the engine runs on.
        _peers = new Peers.PeerStatusServer(() => Status().ToDocument(), log, TimeProvider.System);
        _notifier = new NodeNotifier(options.Node, log, () => _running?.Commit);
        _turn = new Rollouts.RolloutTurn(options.Node, peers ?? new Rollouts.PeerProgressReader(), _time, log);
        var predecessor = AgentStatus.LeftBy(options.StatusFile);
        _agent = new NodeAgent(_kernel.Ports, _time, log)
        {
            Predecessor = predecessor,
            // Listens from now on, while the first revision is read: a slow start must not look like a takeover.
            Witness = predecessor is { Masters.Count: > 0 } ? _kernel.Witness(predecessor.Masters, _time, log) : null,
        };
        _routing = new RoutingApplier(_kernel.Routing, _kernel.Addresses, _agent.WantedRouting, log);
        _firewall = new Firewall.FirewallApplier(_kernel.Nftables, _agent.WantedFirewall, log);
        // Transitions are told on the engine's timer or receive thread: the status is written from the status timer's
        // thread, not here; notify scripts run on their own tasks.
        _agent.Transitioned += (transition, instance) =>
        {
            _routing.Poke();
            _firewall.Poke();
            _statusTimer?.Change(TimeSpan.Zero, StatusPeriod);
            _notifier.Transition(transition, instance.Notify);
        };
        _statusTimer = new Timer(_ => WriteStatus(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _driftCheck = new DriftCheck(_kernel, _agent, log, options.DriftMode);
        _health = new HealthBoard(log, TimeProvider.System);
        _health.Changed += HealthChanged;
        _ipvs = new Appliers.NodeIpvs(_kernel, options.StateDirectory is { } directory ? Path.Combine(directory, IpvsOwnershipFile.FileName) : null,
            _health.Lookup, log, Persist);
        _scripts = new VrrpScriptStates(log);
        // A script's result or a track file's number moves the priority (or faults the instance) from the next advert on.
        _agent.ScriptHealthy = _scripts.IsHealthy;
        _scripts.Changed += (_, _) => _agent.TracksChanged();
        _trackFiles = new TrackFileWatcher(log);
        _agent.TrackFileValue = _trackFiles.Value;
        _trackFiles.Changed += _agent.TracksChanged;
        _trackProcesses = new Processes.ProcessWatcher(log);
        _agent.TrackProcessUp = _trackProcesses.Up;
        _trackProcesses.Changed += _agent.TracksChanged;
    }

    /// <summary>
    /// First reconcile. A folder that is invalid or names no such node fails the start (false, after logging why).
    /// A git source whose newest commit cannot be fetched or is invalid starts from the last good commit in its clone;
    /// with none, the agent still runs, retrying on the interval, and its status says why nothing runs.
    /// </summary>
    public bool Start()
    {
        _log.Information("vigil agent {Version} for node {Node} from {Source}",
            typeof(AgentHost).Assembly.GetName().Version, _options.Node, _source.Location);
        _checks = CheckScheduler.StartAsync(_log).GetAwaiter().GetResult();
        Reconcile(fromInterval: false);
        if (_running is null && _record.State.LastGood is { } good)
        {
            try
            {
                if (LastGoodRevision() is { } revision && RevisionLoader.Load(revision, _options.Node, _log, out _, _scriptEnvironment) is { } state)
                {
                    _log.Warning("starting from the last good {Commit} until a newer commit can be applied", revision.Label);
                    Apply(revision, state, held: _record.State.HeldUnits ?? []);
                }
            }
            catch (GitSourceException e)
            {
                _log.Error("the last good commit cannot be read: {Error}", e.Message);
            }
        }
        // The first revision decided every resume; a later start of an instance is an ordinary one.
        _agent.Witness?.Dispose();
        _agent.Witness = null;
        if (_running is null && _options.StateDirectory is null)
        {
            return false; // a folder: nothing to fall back on, as keepalived with a bad configuration
        }
        // Lost notifications: the drift check compares every address with what the running revision wants.
        _watcher = _kernel.Watch(LinksChanged, _agent.AddressChanged, () => Requests.Enqueue(ReconcileRequest.Drift), _log, _options.NetlinkBuffer);
        _statusTimer.Change(TimeSpan.Zero, StatusPeriod);
        return true;
    }

    /// <summary>
    /// Reads the source (fetches a git one) and applies what is new. On the interval an already handled commit is
    /// left alone (only what is still not applied is retried); on request (SIGHUP, SIGUSR1, `vigil reconcile`) the
    /// revision is read and applied again. An invalid revision is refused and the running one kept.
    /// </summary>
    public PassResult Reconcile(bool fromInterval)
    {
        try
        {
            return _lastPass = ReconcileOnce(fromInterval);
        }
        finally
        {
            // Set last, so that a reader seeing it changed sees the outcome with it.
            _attemptedAt = DateTimeOffset.UtcNow;
            WriteStatus();
        }
    }

    private PassResult ReconcileOnce(bool fromInterval)
    {
        var clock = Stopwatch.StartNew();
        SourceRevision revision;
        try
        {
            if (_fetcher.LatestUnless(Requests.Ending) is not { } latest)
            {
                return PassResult.Retry(TimeSpan.Zero, "stopping: the fetch under way was left to end by itself");
            }
            revision = latest;
        }
        catch (Exception e) when (e is GitSourceException or IOException)
        {
            // One error per outage: a remote that stops answering fails one way, then another (a read times out, then
            // the connect does, once its listen queue is full); the later reasons are told, not raised again.
            if (_fetchError is null)
            {
                _log.Error("{Source}: {Error}; still running {Running}", _source.Location, e.Message, RunningLabel);
            }
            else if (e.Message != _fetchError)
            {
                _log.Information("{Source}: still failing: {Error}", _source.Location, e.Message);
            }
            // Kept apart from the state file's last error (a refused commit's), which stays true when the remote comes back.
            _fetchError = e.Message;
            return PassResult.Retry(NextBackoff(), e.Message);
        }
        if (_fetchError is not null)
        {
            _log.Information("{Source}: reachable again", _source.Location);
            _fetchError = null;
        }
        if (revision.Commit is not null && revision.Commit != _record.State.LastFetched)
        {
            _record.Save(_record.State with { LastFetched = revision.Commit });
        }
        if (_turn.Pending is { } pending && pending.Revision.Commit == revision.Commit)
        {
            return InTurn(pending.Revision, pending.Loaded, clock, pending.Held); // read already: waiting for its turn
        }
        if (fromInterval && (revision.Commit is null || revision.Commit == _record.Handled))
        {
            return RetryOnce(clock);
        }
        var state = RevisionLoader.Load(revision, _options.Node, _log, out var refusal, _scriptEnvironment);
        if (state is null && Isolate(revision) is { } isolated
            && RevisionLoader.Load(isolated.Revision, _options.Node, _log, out _, _scriptEnvironment) is { } composed)
        {
            return InTurn(isolated.Revision, composed, clock, isolated.Held);
        }
        if (state is null)
        {
            Refuse(revision, refusal, clock);
            return PassResult.Stalled($"{revision.Label} refused: {refusal[0]}");
        }
        return InTurn(revision, state, clock, []);
    }

    /// <summary>
    /// Applies a valid revision, in this node's turn when the Cluster orders rollouts (<see cref="Rollouts.RolloutTurn"/>):
    /// until then the running revision stays, its instances also take the commit's adverts, and the peers are asked
    /// again after a while (a stall waits for the interval).
    /// </summary>
    private PassResult InTurn(SourceRevision revision, LoadedRevision loaded, Stopwatch clock, IReadOnlyList<HeldUnit> held)
    {
        if (_turn.Decide(revision, loaded, held, _runningLoaded, _agent.Status()) is { Applies: false } decision)
        {
            _agent.TolerateNext(loaded.Node);
            return decision.Verdict == GateVerdict.Stall ? PassResult.Stalled(decision.Message) : PassResult.Retry(AskPeersEvery, decision.Message);
        }
        Apply(revision, loaded, clock, held);
        return Ending();
    }

    /// <summary>Done when everything runs; otherwise tried again after a delay that doubles (1 s, 2 s, ... the loop caps it at the interval).</summary>
    private PassResult Ending()
    {
        if (_notApplied.Count == 0)
        {
            _failedPasses = 0;
            return PassResult.Done;
        }
        return PassResult.Retry(NextBackoff(), _notApplied[0]);
    }

    private TimeSpan NextBackoff() => TimeSpan.FromSeconds(1 << Math.Min(_failedPasses++, 12));

    /// <summary>
    /// The periodic drift check: the node against the revision it runs (addresses, IPVS, what VRRP hears); in correct
    /// mode, address and IPVS drift is undone. Kept for the status and `vigil drift`.
    /// </summary>
    public DriftReport? CheckDrift()
    {
        if (_agent.Running is not { } desired)
        {
            return null;
        }
        _drift = _ipvs.Read((ipvs, owned) => _driftCheck.Run(desired, _cluster, desired.VirtualServers.Count > 0 ? ipvs : null, _health.Lookup, owned));
        _routing.Poke(); // after the report, which says what was found: a route someone deleted comes back
        _firewall.Poke(recheck: true);
        WriteStatus();
        return _drift;
    }

    void IReconciledNode.CheckDrift() => CheckDrift();

    /// <summary>A link appeared while an instance waits for its interface: the worker retries at once, not at its next tick.</summary>
    private void LinksChanged(IReadOnlyList<NetworkLink> links)
    {
        _agent.LinksChanged(links);
        if (_agent.NotRunning().Count > 0)
        {
            Requests.Enqueue(ReconcileRequest.Retry);
        }
    }

    /// <summary>SIGTERM: priority-0 adverts, VIPs removed, status file removed; the STOP hooks get a few seconds.</summary>
    public void Stop()
    {
        if (_agent.Running is { } running)
        {
            _notifier.Stopping(running.VirtualServers, (s, r) => _health.Lookup(s, r).Up, _quorum.IsUp);
        }
        _agent.Stop();
        _peers.Dispose();
        _routing.Dispose();
        _routing.Converge(RoutingEntries.None); // keepalived clears its static routes and rules at stop too
        _firewall.Dispose();
        _firewall.Converge(Firewall.NoAcceptRules.None); // the VIPs are gone: so are the tables, as keepalived's
        _notifier.Drain(TimeSpan.FromSeconds(5));
        _watcher?.Dispose();
        _watcher = null;
        lock (_statusGate)
        {
            _stopped = true;
            File.Delete(_options.StatusFile);
        }
        _log.Information("stopped");
    }

    /// <summary>
    /// SIGUSR2: leave for a restart without moving the VIPs: no priority-0 advert, VIPs and status file left as they
    /// are, so the next agent resumes as master if it starts within the peers' Master_Down_Interval.
    /// </summary>
    public void Leave()
    {
        WriteStatus();
        lock (_statusGate)
        {
            _stopped = true;
        }
        _routing.Dispose(); // routes and rules stay for the next agent, as the VIPs do
        _peers.Dispose();
        _firewall.Dispose(); // and the tables with the VIPs they guard
        _agent.Leave();
        _log.Information("left for a restart: VIPs kept, no priority-0 advert sent");
    }

    public AgentStatus Status()
    {
        var (drift, counts) = _agent.AddressDrifts();
        var source = new SourceStatus(_source.Location, _running?.Commit, _running?.Subject, _record.State.LastFetched, _record.State.LastGood,
            _fetchError ?? _record.State.LastError, _fetchError is null ? _record.State.LastErrorCommit : null, _record.LastOutcome, _record.ReconciledAt, _attemptedAt, _record.LastDuration, [.. _notApplied, .. _routing.Problems, .. _firewall.Problems])
        {
            Folder = _source.Folder,
            HeldUnits = _record.State.HeldUnits ?? [],
            SignedBy = _running?.SignedBy,
        };
        var degraded = _files.Degraded();
        if (_notifier.FifoLinesDropped is var dropped and > 0)
        {
            degraded.Add($"notify FIFOs: {dropped} line(s) dropped, the pipe full (no reader, or a slow one)");
        }
        if (_peers.Problem is { } peers)
        {
            degraded.Add(peers);
        }
        var routers = _agent.Status();
        return new(_options.Node, source, Environment.ProcessId, _startedAt, _loadedAt, routers, drift, counts)
        {
            Drift = _drift, RealServers = _health.States(), VrrpScripts = _scripts.All(), Degraded = degraded,
            Conditions = InstanceConditions.Of(_agent.Running, routers, _agent.NotStarted()), LastPass = _lastPass,
            Peers = _cluster.PeerStatus is { } spec ? PeerStatusDocument.Of(spec, _cluster.Nodes) : null,
            Rollout = _turn.Status,
        };
    }

    /// <summary>
    /// With <c>faultIsolation: topLevelFolders</c> in the running revision's Cluster (or, before anything runs, units
    /// held when the agent stopped), an invalid commit's broken units kept back: see <see cref="UnitHolds"/>.
    /// </summary>
    private IsolatedRevision? Isolate(SourceRevision revision) =>
        _cluster.FaultIsolation == Core.Desired.FaultIsolation.TopLevelFolders || (_running is null && _record.State.HeldUnits is { Count: > 0 })
            ? new UnitHolds(_source, _log, _record.State).Isolate(revision)
            : null;

    private SourceRevision? LastGoodRevision() => new UnitHolds(_source, _log, _record.State).LastGoodRevision();

    private string RunningLabel => _running is null ? "nothing (no revision applied yet)"
        : _running.Commit is null ? "the configuration loaded before" : _running.Label;

    private void Refuse(SourceRevision revision, IReadOnlyList<string> reasons, Stopwatch? clock = null)
    {
        var summary = revision.Untrusted is not null
            ? $"{revision.Label}: not trusted, nothing applied: {reasons[0]}"
            : $"{revision.Label}: invalid ({reasons.Count} error(s)), nothing applied: {reasons[0]}";
        _log.Error("refused {Revision}: nothing applied, still running {Running}", revision.Label, RunningLabel);
        _record.Record(revision, ReconcileOutcome.Refused, reasons, clock);
        _record.Save(_record.State with { LastError = summary, LastErrorCommit = revision.Commit });
    }

    private void Apply(SourceRevision revision, LoadedRevision loaded, Stopwatch? clock = null, IReadOnlyList<HeldUnit>? held = null)
    {
        held ??= [];
        var state = loaded.Node;
        _cluster = loaded.Cluster;
        _peers.Use(_cluster.PeerStatus, _cluster.Nodes.FirstOrDefault(n => n.Name == _options.Node) is { } me ? PeerStatusSpec.AddressOf(me) : null);
        _notifier.Use(_cluster.Notification, state.SyncGroups);
        // Read before the instances start, so that they start with the priority the files give.
        _trackFiles.Watch(state.VrrpInstances.SelectMany(i => i.TrackFiles).Select(t => t.File));
        _trackProcesses.Watch(state.VrrpInstances.SelectMany(i => i.TrackProcesses));
        var plan = _agent.Apply(state);
        _routing.Poke();
        _firewall.Poke();
        foreach (var step in plan.Where(s => s.Action != InstanceAction.Keep))
        {
            _log.Information("{Revision}: {Instance}: {Action}", revision.Label, step.Instance, step.Action);
        }
        _running = revision;
        _runningLoaded = loaded;
        _loadedAt = DateTimeOffset.UtcNow;
        NodeChecks.Sync(_checks, state, _health, _scripts, _log);
        // Applied means everything runs: an instance that could not start (its interface missing) makes it partial.
        _notApplied = [.. _agent.NotRunning(), .. _ipvs.Converge(revision.Label, state)];
        NotifyQuorum(state);
        // Held units are part of the commit not applied: partly applied, though what runs is good.
        var heldReasons = held.Select(h => h.ToString()).ToList();
        var outcome = _notApplied.Count == 0 && held.Count == 0 ? ReconcileOutcome.Applied : ReconcileOutcome.PartlyApplied;
        _log.Information("{Revision} {Outcome}: {Summary}", revision.Label, outcome == ReconcileOutcome.Applied ? "applied" : "partly applied",
            string.Join(", ", plan.GroupBy(p => p.Action).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")
                .Concat(held.Select(h => $"unit {h.Unit} held back"))));
        _record.Record(revision, outcome, [.. heldReasons, .. _notApplied], clock);
        _record.Save(_record.State with
        {
            LastApplied = revision.Commit,
            LastGood = _notApplied.Count == 0 ? revision.Commit ?? _record.State.LastGood : _record.State.LastGood,
            HeldUnits = held.Count > 0 ? held : null,
            LastError = outcome == ReconcileOutcome.Applied ? null : $"{revision.Label}: partly applied: {heldReasons.Concat(_notApplied).First()}",
            LastErrorCommit = outcome == ReconcileOutcome.Applied ? null : revision.Commit,
        });
    }

    /// <summary>
    /// Whatever the last apply left undone (an instance that could not start, IPVS changes the kernel refused) is tried
    /// again: on the interval, after the pass's retry delay, and at once when a link appears.
    /// </summary>
    public PassResult Retry() => Pass(() => RetryOnce(Stopwatch.StartNew()));

    private PassResult RetryOnce(Stopwatch clock)
    {
        if (_turn.Pending is { } pending)
        {
            return InTurn(pending.Revision, pending.Loaded, clock, pending.Held);
        }
        if (_notApplied.Count == 0 && _agent.NotRunning().Count == 0)
        {
            return Ending();
        }
        _agent.StartMissing();
        return ConvergeRunning("retry", clock);
    }

    /// <summary>A real server went down or came back: the IPVS pool follows, then the quorum notifications.</summary>
    public PassResult FollowHealth() =>
        Pass(() => _agent.Running is { VirtualServers.Count: > 0 } ? ConvergeRunning("health", Stopwatch.StartNew()) : Ending());

    /// <summary>One of the worker's passes: its result kept for the status, the status written whatever happened.</summary>
    private PassResult Pass(Func<PassResult> body)
    {
        try
        {
            return _lastPass = body();
        }
        finally
        {
            WriteStatus();
        }
    }

    /// <summary>
    /// What is not applied of the running revision, found again (instances not running, IPVS); a revision that becomes
    /// fully or partly applied this way is recorded and saved as an apply would.
    /// </summary>
    private PassResult ConvergeRunning(string why, Stopwatch clock)
    {
        if (_running is null || _agent.Running is not { } state)
        {
            return Ending();
        }
        var before = _notApplied;
        _notApplied = [.. _agent.NotRunning(), .. _ipvs.Converge(why, state)];
        NotifyQuorum(state);
        if (before.Count > 0 && _notApplied.Count == 0)
        {
            _log.Information("{Revision}: now fully applied", _running.Label);
            // Held units stay not applied: the kernel caught up, the commit is still partly applied.
            var held = _record.State.HeldUnits is { Count: > 0 } units ? $"{_running.Label}: partly applied: {units[0]}" : null;
            _record.Record(_running, held is null ? ReconcileOutcome.Applied : ReconcileOutcome.PartlyApplied, [.. _record.State.HeldUnits?.Select(h => h.ToString()) ?? []], clock);
            _record.Save(_record.State with { LastGood = _running.Commit ?? _record.State.LastGood, LastError = held, LastErrorCommit = held is null ? null : _running.Commit });
        }
        else if (before.Count == 0 && _notApplied.Count > 0)
        {
            _log.Warning("{Revision}: now partly applied ({Why}): {Missing}", _running.Label, why, _notApplied[0]);
            _record.Record(_running, ReconcileOutcome.PartlyApplied, _notApplied, clock);
            _record.Save(_record.State with { LastError = $"{_running.Label}: partly applied: {_notApplied[0]}", LastErrorCommit = _running.Commit });
        }
        return Ending();
    }

    /// <summary>A real server went down or came back (Quartz's thread): notified now, the pool follows on the worker.</summary>
    private void HealthChanged(RealServerCheck check, RealServerState health)
    {
        _notifier.RealServer(check, health);
        Requests.Enqueue(ReconcileRequest.Health);
    }

    private void NotifyQuorum(NodeDesiredState state)
    {
        foreach (var change in _quorum.Update(state.VirtualServers, _health.Lookup))
        {
            _notifier.Quorum(change);
        }
    }

    private void Persist(string what, string path, Action write) => _files.Write(what, path, write);

    private void WriteStatus()
    {
        lock (_statusGate)
        {
            if (_stopped)
            {
                return;
            }
            Persist("status file", _options.StatusFile, () => Status().WriteTo(_options.StatusFile));
        }
    }

    public void Dispose()
    {
        // Waits for a status write in flight: nothing is written once the host is gone (a test deleting its folder saw one).
        using (var written = new ManualResetEvent(false))
        {
            if (_statusTimer.Dispose(written))
            {
                written.WaitOne(TimeSpan.FromSeconds(5));
            }
        }
        _watcher?.Dispose();
        _peers.Dispose();
        _checks?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _notifier.Dispose();
        _trackFiles.Dispose();
        _trackProcesses.Dispose();
        _routing.Dispose();
        _firewall.Dispose();
        _agent.Dispose();
        _kernel.Dispose();
        _precise?.Dispose();
        if (!_fetcher.Busy)
        {
            // A fetch left running at a stop still uses the source; the process ends under it.
            _source.Dispose();
        }
        Requests.Dispose();
    }
}
