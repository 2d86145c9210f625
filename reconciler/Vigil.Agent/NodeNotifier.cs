using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;
using Vigil.Notifications;
using Vigil.Notifications.Fifo;
using Vigil.Vrrp.Engine;
using VrrpState = Vigil.Vrrp.StateMachine.VrrpState;

namespace Vigil.Agent;

/// <summary>
/// Tells the world what changed on this node, as keepalived does and beyond: VRRP transitions (notify hooks, email when
/// the instance asks), real servers going up or down (notify_up / notify_down, email under the virtual server's
/// notify.email) and quorum crossings (quorum_up / quorum_down, email), and every one of them to the Cluster's webhook.
/// Nothing here waits: hooks, mails and POSTs run in the background.
/// </summary>
public sealed class NodeNotifier(string node, ILogger log, Func<string?> commit) : IDisposable
{
    private readonly NotifyScripts _scripts = new(log, NotifyScripts.DefaultTimeout);
    private readonly Lock _gate = new();
    // Hooks, mails and POSTs under way, for the drain at exit.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, bool> _pending = new();
    private (WebhookSpec Spec, WebhookNotifier Notifier)? _webhook;
    private readonly NotifyFifos _fifos = new(log);
    private readonly SyncGroupStates _groupStates = new();
    private IReadOnlyList<NodeSyncGroup> _groups = [];

    /// <summary>The notification settings (recipients, webhook, FIFOs) of the revision running.</summary>
    public NotificationSpec? Settings { get; private set; }

    /// <summary>Lines the notify FIFOs had to drop (a full pipe), for the status.</summary>
    public long FifoLinesDropped => _fifos.Dropped;

    /// <summary>A revision's notification settings and sync groups: FIFOs it changed are opened anew.</summary>
    public void Use(NotificationSpec? settings, IReadOnlyList<NodeSyncGroup> groups)
    {
        Settings = settings;
        lock (_gate)
        {
            _groups = groups;
        }
        _fifos.Apply(settings);
    }

    /// <summary>
    /// An instance's transition; leaving for Initialize is a stop (SIGTERM, or the instance removed by a revision). A
    /// sync group's state that moves with it is told as keepalived tells it (GROUP to the hooks and the FIFOs).
    /// </summary>
    public void Transition(StateTransition transition, NotifySpec? spec)
    {
        var state = transition.To == VrrpState.Initialize ? "STOP" : Keepalived(transition.To);
        IReadOnlyList<GroupChange> groups;
        // Transitions come from several instances' threads: the FIFO lines keep the order the group states were found in.
        lock (_gate)
        {
            groups = _groupStates.Observe(transition.Instance, state, _groups);
            foreach (var change in groups.Where(g => g.BeforeInstance)) _fifos.Vrrp(FifoLines.Group(change.Group.Name, change.State));
            _fifos.Vrrp(FifoLines.Instance(transition.Instance, state, transition.Priority));
            foreach (var change in groups.Where(g => !g.BeforeInstance)) _fifos.Vrrp(FifoLines.Group(change.Group.Name, change.State));
        }
        Told(new TransitionNotice("INSTANCE", transition.Instance, state, transition.Priority), spec, Keepalived(transition.From), transition.Reason, transition.At);
        foreach (var change in groups)
        {
            Told(new TransitionNotice("GROUP", change.Group.Name, change.State, 0), change.Group.Notify, null, $"{transition.Instance}: {transition.Reason}", transition.At);
        }
    }

    /// <summary>The hooks, webhook and email of one instance's or group's transition.</summary>
    private void Told(TransitionNotice notice, NotifySpec? spec, string? from, string reason, DateTimeOffset at)
    {
        foreach (var hook in _scripts.Run(notice, spec))
        {
            Track(hook);
        }
        if (notice.Type == "INSTANCE")
        {
            Track(Webhook()?.Send(new TransitionEvent(node, notice.Name, from!, notice.State, notice.Priority, reason, at, commit())));
        }
        if (spec?.Email == true && Settings?.Email is { } email)
        {
            Track(new EmailNotifier(email, log).Send(new TransitionEmail(node, notice.Name, from ?? "-", notice.State, notice.Priority, reason, at, commit())));
        }
    }

    /// <summary>A real server's check found it up or down: its own hook, the virtual server's email, the webhook.</summary>
    public void RealServer(RealServerCheck check, RealServerState state)
    {
        var hook = state.Up ? check.Real.Notify?.OnUp : check.Real.Notify?.OnDown;
        _fifos.Lvs(FifoLines.RealServer(check.Server, check.Real, state.Up));
        Pool(check.Server, check.VirtualServer, $"real server {check.RealServer}", check.RealServer, state.Up, state.Reason, state.Since, hook);
    }

    /// <summary>A virtual server gained or lost quorum.</summary>
    public void Quorum(QuorumChange change)
    {
        if (change.Up)
        {
            log.Information("{VirtualServer}: quorum gained: {Reason}", change.VirtualServer, change.Reason);
        }
        else
        {
            log.Warning("{VirtualServer}: quorum lost: {Reason}", change.VirtualServer, change.Reason);
        }
        var hook = change.Up ? change.Spec.Notify?.OnQuorumUp : change.Spec.Notify?.OnQuorumDown;
        _fifos.Lvs(FifoLines.VirtualServer(change.Spec, change.Up));
        Pool(change.Spec, change.VirtualServer, "quorum", null, change.Up, change.Reason, DateTimeOffset.UtcNow, hook);
    }

    /// <summary>
    /// keepalived's omega at the agent's stop: for each virtual server asking for it, the down hooks of the real servers
    /// still up and its quorum-down hook when it held quorum.
    /// </summary>
    public void Stopping(IEnumerable<NodeVirtualServer> servers, Func<VirtualServerSpec, RealServerSpec, bool> up, Func<VirtualServerSpec, bool> quorum)
    {
        foreach (var server in servers.Where(s => s.Spec.Omega))
        {
            foreach (var real in server.Spec.RealServers.Where(r => up(server.Spec, r)))
            {
                var endpoint = Endpoints.Format(real.Address, real.Port);
                Pool(server.Spec, server.Name, $"real server {endpoint}", endpoint, false, "shutting down", DateTimeOffset.UtcNow, real.Notify?.OnDown);
            }
            if (quorum(server.Spec))
            {
                Pool(server.Spec, server.Name, "quorum", null, false, "shutting down", DateTimeOffset.UtcNow, server.Spec.Notify?.OnQuorumDown);
            }
        }
    }

    /// <summary>At exit: gives hooks, mails and POSTs still under way (STOP, omega) up to <paramref name="patience"/> together.</summary>
    public void Drain(TimeSpan patience) => Task.WaitAll([.. _pending.Keys], patience);

    private void Track(Task? work)
    {
        if (work is not null)
        {
            _pending[work] = true;
            // Each notifier logs its own failures; anything that still escapes one is logged here, never dropped.
            work.ContinueWith(t =>
            {
                _pending.TryRemove(t, out _);
                if (t.Exception is { } failure)
                {
                    log.Error(failure.GetBaseException(), "notification failed: {Error}", failure.GetBaseException().Message);
                }
            }, TaskScheduler.Default);
        }
    }

    private void Pool(VirtualServerSpec server, string name, string what, string? realServer, bool up, string reason, DateTimeOffset at, string? hook)
    {
        var state = up ? "UP" : "DOWN";
        if (hook is not null)
        {
            Track(_scripts.Hook(hook, server.Notify?.User, server.Notify?.Group, $"{name} {what} {state}"));
        }
        Track(Webhook()?.Send(new PoolEvent(node, name, realServer, state, reason, at, commit())));
        if (server.Notify?.Email == true && Settings?.Email is { } email)
        {
            Track(new EmailNotifier(email, log).Send(new PoolEmail(node, name, what, state, reason, at, commit())));
        }
    }

    private WebhookNotifier? Webhook()
    {
        if (Settings?.Webhook is not { } hook)
        {
            return null;
        }
        // Instances transition and checks report on their own threads: one of them replaces the notifier when the spec changed.
        lock (_gate)
        {
            if (_webhook?.Spec != hook)
            {
                _webhook = (hook, new WebhookNotifier(hook, log)); // the old one is left to finish its sends
            }
            return _webhook.Value.Notifier;
        }
    }

    private static string Keepalived(VrrpState state) => state switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        VrrpState.Fault => "FAULT",
        _ => "INIT",
    };

    public void Dispose()
    {
        lock (_gate)
        {
            _webhook?.Notifier.Dispose();
        }
        _fifos.Dispose();
    }
}
