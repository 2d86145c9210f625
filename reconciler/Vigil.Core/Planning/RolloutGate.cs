using Vigil.Core.Desired;

namespace Vigil.Core.Planning;

/// <summary>
/// What a member of a group says of itself over peer status, as a rollout gate reads it; <see cref="Unanswered"/> when
/// it did not answer (the answer's fields are then empty).
/// </summary>
public sealed record PeerProgress(string Node, string? Commit, IReadOnlySet<string> Ready, IReadOnlySet<string> MasterOf)
{
    /// <summary>Why there is no answer: no reply in time, refused, not signed with the cluster's key.</summary>
    public string? Unanswered { get; init; }

    /// <summary>The commit the peer refused last, with why; a peer that refused the commit will not apply it by waiting.</summary>
    public (string Commit, string Reason)? Refused { get; init; }

    /// <summary>Whom the peer itself waits for, when it waits for its own turn.</summary>
    public string? Waiting { get; init; }

    public static PeerProgress Silent(string node, string why) => new(node, null, new HashSet<string>(), new HashSet<string>()) { Unanswered = why };
}

public enum GateVerdict
{
    /// <summary>This node's turn (or nothing it runs is ordered): apply.</summary>
    Go,

    /// <summary>Members before it have not applied the commit or are not ready: wait and ask again.</summary>
    Wait,

    /// <summary>The wait timed out and rollout.onTimeout is proceed: apply, saying whom it did not wait for.</summary>
    Proceed,

    /// <summary>The wait timed out and rollout.onTimeout is stall: keep the revision before, and keep asking.</summary>
    Stall,
}

/// <summary>One node's decision on one commit: the verdict, what to say, whom it waits for, and its place in each group's order.</summary>
public sealed record GateDecision(GateVerdict Verdict, string Message, IReadOnlyList<string> WaitingFor, IReadOnlyList<string> Order)
{
    public bool Applies => Verdict is GateVerdict.Go or GateVerdict.Proceed;
}

/// <summary>
/// A node's turn in a rollout (Cluster rollout.waitForPeers), pure: the rollout order of each group the node is in,
/// ordered by the real roles (the member that is master now goes last; the new master first in a handover), and what
/// the members before it say of themselves. Its turn comes when each of them runs the commit with the group's instance
/// Ready; until then it waits, and after rollout.waitTimeout it proceeds or stalls as the Cluster says.
/// </summary>
public static class RolloutGate
{
    /// <param name="node">This node.</param>
    /// <param name="commit">The commit to apply.</param>
    /// <param name="before">Every node's view of the running revision.</param>
    /// <param name="after">Every node's view of the commit.</param>
    /// <param name="masters">Instance -> the member that is master now (from this node's routers and its peers' answers).</param>
    /// <param name="peers">Each peer's answer, by node.</param>
    /// <param name="waited">How long this node has waited for this commit.</param>
    public static GateDecision Decide(string node, string commit, IEnumerable<NodeDesiredState> before, IEnumerable<NodeDesiredState> after,
        IReadOnlyDictionary<string, string> masters, IReadOnlyDictionary<string, PeerProgress> peers, TimeSpan waited, RolloutSpec spec)
    {
        var rollouts = RolloutOrder.Between(before, after, masters).Where(r => r.Steps.Any(s => s.Node == node)).ToList();
        var order = rollouts.Select(r => r.ToString()).ToList();
        var label = Short(commit);
        var missing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var turns = new List<string>();
        // keepalived members have no agent to ask: their step is a reload by hand (the plan says when), not waited for.
        var notAsked = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rollout in rollouts)
        {
            var mine = rollout.Steps.First(s => s.Node == node);
            turns.Add($"{rollout.Instance} step {mine.Turn} of {rollout.Steps.Count}");
            foreach (var earlier in rollout.Steps.TakeWhile(s => s.Node != node))
            {
                if (earlier.ByHand)
                {
                    notAsked.Add(earlier.Node);
                }
                else if (!missing.ContainsKey(earlier.Node) && Missing(peers.GetValueOrDefault(earlier.Node), earlier.Node, rollout.Instance, commit) is { } why)
                {
                    missing[earlier.Node] = why;
                }
            }
        }
        if (rollouts.Count == 0)
        {
            return new(GateVerdict.Go, $"{label}: changes no VRRP group of {node}'s in a way that needs an order", [], order);
        }
        if (missing.Count == 0)
        {
            var earlier = rollouts.SelectMany(r => r.Steps.TakeWhile(s => s.Node != node).Where(s => !s.ByHand)).Select(s => s.Node).Distinct().ToList();
            var unasked = notAsked.Count == 0 ? "" : $"; not asked: {Join(notAsked)} (keepalived, reloaded by hand)";
            return new(GateVerdict.Go, earlier.Count == 0 && notAsked.Count == 0 ? $"{label}: {node} goes first ({string.Join(", ", turns)})"
                : earlier.Count == 0 ? $"{label}: {node}'s turn, no agent to wait for ({string.Join(", ", turns)}{unasked})"
                : $"{label}: {Join(earlier)} {(earlier.Count == 1 ? "has" : "have")} applied it and {(earlier.Count == 1 ? "is" : "are")} ready: {node}'s turn ({string.Join(", ", turns)}{unasked})", [], order);
        }
        var waiting = $"waiting for {Join(missing.Keys)} to apply {label}: {string.Join("; ", missing.Values)}";
        if (waited < spec.WaitTimeout)
        {
            return new(GateVerdict.Wait, waiting, [.. missing.Keys], order);
        }
        var late = $"{Join(missing.Keys)} did not apply {label} within {spec.WaitTimeout}";
        return spec.OnTimeout == RolloutTimeout.Proceed
            ? new(GateVerdict.Proceed, $"{late}: proceeding without {(missing.Count == 1 ? "it" : "them")} (rollout.onTimeout: proceed): {string.Join("; ", missing.Values)}", [.. missing.Keys], order)
            : new(GateVerdict.Stall, $"{late}: stalled, still running the revision before (rollout.onTimeout: stall): {string.Join("; ", missing.Values)}", [.. missing.Keys], order);
    }

    /// <summary>What keeps a member from counting as done with the commit for an instance, or null when it is done.</summary>
    private static string? Missing(PeerProgress? peer, string node, string instance, string commit)
    {
        if (peer is null || peer.Unanswered is not null)
        {
            return $"{node} does not answer ({peer?.Unanswered ?? "not asked"})";
        }
        if (peer.Commit != commit)
        {
            return peer.Refused is { } refused && refused.Commit == commit ? $"{node} refused it: {refused.Reason}"
                : peer.Waiting is { } theirs ? $"{node} runs {Short(peer.Commit)}, itself {theirs}"
                : $"{node} runs {Short(peer.Commit)}";
        }
        return peer.Ready.Contains(instance) ? null : $"{node} runs it, but {instance} is not ready there";
    }

    private static string Join(IEnumerable<string> nodes) => string.Join(", ", nodes);

    private static string Short(string? commit) => commit is null ? "nothing" : Commits.Short(commit);
}
