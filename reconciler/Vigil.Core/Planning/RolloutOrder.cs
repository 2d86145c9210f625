using Vigil.Core.Desired;

namespace Vigil.Core.Planning;

/// <summary>What kind of change an instance's rollout carries: it decides the order (see the change-order table in the README).</summary>
public enum RolloutKind
{
    /// <summary>Priority (mastership stays), v3 advert interval, tracking, hooks: any order.</summary>
    InPlace,

    /// <summary>VIPs added, removed or moved: any order in a Vigil group (a backup takes the master's other list and reports it).</summary>
    AddressList,

    /// <summary>
    /// Version, VRID, authentication, transport or a v2 interval: adverts of one revision are discarded by the other,
    /// so the backups go first (each takes the master's old adverts within its rollout window), the master last (it
    /// restarts in place, keeping its VIPs).
    /// </summary>
    WireFormat,

    /// <summary>The expected master changes: the new master first (it preempts once), then the rest.</summary>
    Handover,
}

/// <summary>One node's turn: its role before the change, and what it waits for; <see cref="ByHand"/> on a keepalived node.</summary>
public sealed record RolloutStep(int Turn, string Node, string Role, string? After, bool ByHand = false)
{
    /// <summary>"2. ka1 (master, after ka2 has applied it and is ready)", "1. ka2 (backup, keepalived: reload it by hand)".</summary>
    public override string ToString() =>
        $"{Turn}. {Node} ({Role}{(ByHand ? ", keepalived: reload it by hand" : "")}{(After is null ? "" : ", after " + After)})";
}

/// <summary>The order one instance's change reaches its members.</summary>
public sealed record InstanceRollout(string Instance, RolloutKind Kind, string Reason, IReadOnlyList<RolloutStep> Steps)
{
    public override string ToString() => $"{Instance} ({Reason}): {string.Join("  ", Steps)}";
}

/// <summary>
/// The order in which a change between two revisions should reach each VRRP group's nodes so that no VIP moves by
/// accident: pure, from the two revisions. Roles are the configured ones (the member with the highest priority is the
/// master) unless the real ones are given: the agents order by those (see <see cref="RolloutGate"/>).
/// </summary>
public static class RolloutOrder
{
    public static IReadOnlyList<InstanceRollout> Between(DesiredState? before, DesiredState after) =>
        before is null ? [] : Between(Nodes(before), Nodes(after));

    /// <summary>From each node's view of the two revisions (what <see cref="ClusterPlanner"/> has projected already).</summary>
    /// <param name="masters">Instance -> the member that is master now, where known: it goes last (first in a handover only if it is the new master).</param>
    public static IReadOnlyList<InstanceRollout> Between(IEnumerable<NodeDesiredState> before, IEnumerable<NodeDesiredState> after,
        IReadOnlyDictionary<string, string>? masters = null)
    {
        var old = Members(before);
        var nodes = after.ToList();
        var next = Members(nodes);
        var byHand = nodes.Where(n => n.Daemon == NodeDaemon.Keepalived).Select(n => n.Node).ToHashSet(StringComparer.Ordinal);
        var rollouts = new List<InstanceRollout>();
        foreach (var (instance, members) in next.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (!old.TryGetValue(instance, out var was))
            {
                continue;
            }
            // Only the members in both revisions take part; a node joining or leaving starts or stops the instance.
            var pairs = members.Where(m => was.ContainsKey(m.Key)).Select(m => (Node: m.Key, Was: was[m.Key], Now: m.Value)).ToList();
            if (pairs.Count < 2 || pairs.All(p => p.Was == p.Now))
            {
                continue;
            }
            var configured = pairs.FirstOrDefault(p => p.Was.PreferredMaster).Node;
            var masterBefore = masters?.GetValueOrDefault(instance) is { } real && pairs.Any(p => p.Node == real) ? real : configured;
            var masterAfter = pairs.FirstOrDefault(p => p.Now.PreferredMaster).Node;
            var wire = pairs.Select(p => WireChange(p.Was, p.Now)).FirstOrDefault(w => w is not null);
            var (kind, reason) = wire is not null ? (RolloutKind.WireFormat, $"{wire}: backups first, the master last")
                : configured != masterAfter && masterAfter is not null ? (RolloutKind.Handover, $"master moves {configured ?? "nowhere"} -> {masterAfter}: the new master first")
                : pairs.Any(p => !p.Was.VirtualAddresses.Select(v => v.Address).SequenceEqual(p.Now.VirtualAddresses.Select(v => v.Address)))
                    ? (RolloutKind.AddressList, "VIPs change: backups first")
                : (RolloutKind.InPlace, "taken in place: backups first");
            var first = kind == RolloutKind.Handover ? masterAfter : null;
            var last = kind == RolloutKind.Handover ? null : masterBefore;
            var ordered = pairs.Select(p => p.Node)
                .OrderBy(n => n == first ? 0 : n == last ? 2 : 1)
                .ThenBy(n => n, StringComparer.Ordinal)
                .ToList();
            var steps = new List<RolloutStep>();
            for (var i = 0; i < ordered.Count; i++)
            {
                var node = ordered[i];
                var role = node == masterBefore ? "master" : "backup";
                var waits = i == 0 ? null : $"{string.Join(", ", ordered.Take(i))} {(i == 1 ? "has" : "have")} applied it and {(i == 1 ? "is" : "are")} ready";
                steps.Add(new(i + 1, node, node == masterAfter && kind == RolloutKind.Handover ? "backup, becomes master" : role, waits, byHand.Contains(node)));
            }
            rollouts.Add(new(instance, kind, reason, steps));
        }
        return rollouts;
    }

    /// <summary>What makes one revision's adverts unacceptable to the other, or null.</summary>
    public static string? WireChange(NodeVrrpInstance was, NodeVrrpInstance now) =>
        was.Version != now.Version ? $"VRRP version {was.Version} -> {now.Version}"
        : was.VirtualRouterId != now.VirtualRouterId ? $"VRID {was.VirtualRouterId} -> {now.VirtualRouterId}"
        : was.Transport != now.Transport ? $"transport {Lower(was.Transport)} -> {Lower(now.Transport)}"
        : was.Version == 2 && was.Authentication != now.Authentication ? "authentication"
        : was.Version == 2 && was.AdvertInterval != now.AdvertInterval ? "VRRPv2 advert interval"
        : null;

    private static string Lower(VrrpTransport transport) => transport.ToString().ToLowerInvariant();

    private static IEnumerable<NodeDesiredState> Nodes(DesiredState state) => state.ClusterSpec.Nodes.Select(n => NodeProjection.For(state, n.Name));

    /// <summary>Instance name -> node -> the node's view of it.</summary>
    private static Dictionary<string, Dictionary<string, NodeVrrpInstance>> Members(IEnumerable<NodeDesiredState> nodes)
    {
        var members = new Dictionary<string, Dictionary<string, NodeVrrpInstance>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var instance in node.VrrpInstances)
            {
                (members.TryGetValue(instance.Name, out var byNode) ? byNode : members[instance.Name] = new(StringComparer.Ordinal))[node.Node] = instance;
            }
        }
        return members;
    }
}
