using Vigil.Agent.Peers;
using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Agent.Rollouts;

/// <summary>What the cluster's other agents say of themselves, as a rollout gate reads it (the I/O edge of <see cref="RolloutTurn"/>).</summary>
public interface IPeerProgress
{
    /// <summary>
    /// Each of <paramref name="nodes"/>'s answer, asked over <paramref name="spec"/>; a node that does not answer says why.
    /// Nodes that run keepalived are not asked (they serve nothing) and have no answer.
    /// </summary>
    IReadOnlyDictionary<string, PeerProgress> Ask(PeerStatusSpec spec, IReadOnlyList<NodeSpec> nodes);
}

/// <summary>Asks over peer status (signed requests, signed answers), every node at once, each bounded by <see cref="Timeout"/>.</summary>
public sealed class PeerProgressReader : IPeerProgress
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public IReadOnlyDictionary<string, PeerProgress> Ask(PeerStatusSpec spec, IReadOnlyList<NodeSpec> nodes)
    {
        if (PeerKey.Read(spec, out var problem) is not { } key)
        {
            return nodes.ToDictionary(n => n.Name, n => PeerProgress.Silent(n.Name, problem!), StringComparer.Ordinal);
        }
        var peers = PeerStatusDocument.Of(spec, nodes);
        // The worker's thread waits: asking is a pass's work, never a timer's or the packet path's.
        var answers = PeerStatusClient.AskAll(peers, key, Timeout, CancellationToken.None).GetAwaiter().GetResult();
        return answers.ToDictionary(a => a.Node, a => a.Status is { } status ? Of(status) : PeerProgress.Silent(a.Node, a.Error ?? "no answer"), StringComparer.Ordinal);
    }

    /// <summary>A status document read as progress: the commit it runs, its Ready instances, those it is master of, what it refused or waits for.</summary>
    public static PeerProgress Of(StatusDocument status) =>
        new(status.Node, status.Source.Commit,
            status.Conditions.Where(c => c.Value.Any(v => v.Type == InstanceCondition.Ready && v.Status)).Select(c => c.Key).ToHashSet(StringComparer.Ordinal),
            status.Instances.Where(i => i.State == nameof(Vigil.Vrrp.StateMachine.VrrpState.Master)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal))
        {
            Refused = status.Source.LastErrorCommit is { } commit && commit != status.Source.Commit ? (commit, status.Source.LastError ?? "") : null,
            Waiting = status.Rollout is { Verdict: "wait" or "stall" } rollout ? rollout.Message : null,
        };
}
