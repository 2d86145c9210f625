using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Source;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent.Rollouts;

/// <summary>
/// A commit waiting for this node's turn: what was read of it (applied from here when the turn comes, not read again),
/// every node's view of it and of the running revision, and since when the node waits.
/// </summary>
public sealed record PendingRollout(SourceRevision Revision, LoadedRevision Loaded, IReadOnlyList<HeldUnit> Held, DateTimeOffset Since,
    IReadOnlyList<NodeDesiredState> Before, IReadOnlyList<NodeDesiredState> After);

/// <summary>
/// This node's turn in a rollout (Cluster rollout.waitForPeers), on the worker: asks the peers (<see cref="IPeerProgress"/>),
/// lets <see cref="RolloutGate"/> decide, keeps the commit while the node waits, says each step once in the log (with
/// the commit) and keeps the last decision for the status.
/// </summary>
public sealed class RolloutTurn(string node, IPeerProgress peers, TimeProvider time, ILogger log)
{
    private string? _told;

    public PendingRollout? Pending { get; private set; }

    /// <summary>The last decision, for the status; null when the running revision orders nothing.</summary>
    public RolloutDocument? Status { get; private set; }

    /// <summary>
    /// Whether <paramref name="revision"/> may be applied now; null when no turn is taken (rollout.waitForPeers off in the
    /// commit, a folder source, nothing running yet, or no peer status to ask).
    /// </summary>
    public GateDecision? Decide(SourceRevision revision, LoadedRevision next, IReadOnlyList<HeldUnit> held, LoadedRevision? running,
        IReadOnlyList<VirtualRouterStatus> routers)
    {
        // Peers are asked where they serve now: the running revision's peer status and addresses.
        if (next.Cluster.Rollout is not { WaitForPeers: true } spec || revision.Commit is not { } commit || running is null
            || (running.Cluster.PeerStatus ?? next.Cluster.PeerStatus) is not { } via)
        {
            Pending = null;
            Status = null;
            return null;
        }
        if (Pending?.Revision.Commit != commit)
        {
            Pending = new(revision, next, held, time.GetUtcNow(),
                [.. running.Cluster.Nodes.Select(n => NodeProjection.For(running.State, n.Name))],
                [.. next.Cluster.Nodes.Select(n => NodeProjection.For(next.State, n.Name))]);
            _told = null;
        }
        var pending = Pending;
        var answers = peers.Ask(via, [.. running.Cluster.Nodes.Where(n => n.Name != node)]);
        var decision = RolloutGate.Decide(node, commit, pending.Before, pending.After, Masters(routers, answers.Values), answers,
            time.GetUtcNow() - pending.Since, spec);
        Status = new RolloutDocument(commit, Lower(decision.Verdict), decision.Message, pending.Since, pending.Since + spec.WaitTimeout,
            decision.WaitingFor, decision.Order);
        Tell(revision, decision);
        if (decision.Applies)
        {
            Pending = null;
        }
        return decision;
    }

    /// <summary>Each instance's master now, where exactly one member says it is (two say so: the configured roles decide).</summary>
    private Dictionary<string, string> Masters(IReadOnlyList<VirtualRouterStatus> routers, IEnumerable<PeerProgress> answers) =>
        routers.Where(r => r.State == VrrpState.Master).Select(r => (Instance: r.Name, Node: node))
            .Concat(answers.SelectMany(a => a.MasterOf.Select(i => (Instance: i, a.Node))))
            .GroupBy(m => m.Instance, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Node, StringComparer.Ordinal);

    private void Tell(SourceRevision revision, GateDecision decision)
    {
        if (decision.Message == _told)
        {
            return;
        }
        if (_told is null)
        {
            foreach (var group in decision.Order)
            {
                log.Information("{Revision}: rollout order {Order}", revision.Label, group);
            }
        }
        _told = decision.Message;
        switch (decision.Verdict)
        {
            case GateVerdict.Go or GateVerdict.Wait:
                log.Information("{Revision}: rollout: {Step}", revision.Label, decision.Message);
                break;
            default:
                log.Warning("{Revision}: rollout: {Step}", revision.Label, decision.Message);
                break;
        }
    }

    private static string Lower(GateVerdict verdict) => verdict.ToString().ToLowerInvariant();
}
