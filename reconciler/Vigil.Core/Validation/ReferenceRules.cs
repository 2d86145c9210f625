using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>Names that must exist, and names that must not be claimed twice.</summary>
internal static class ReferenceRules
{
    public static void Check(DesiredState state, UnreadableResources unreadable, DiagnosticBag bag)
    {
        if (state.Cluster is null && !unreadable.Any(Kinds.Cluster))
        {
            bag.Add(new Diagnostic(Severity.Error, "cluster-missing", "<config>", new SourcePosition(1, 1), "",
                "no Cluster document: one document of kind Cluster must name the nodes"));
        }
        else if (state.Cluster is not null)
        {
            CheckNodes(state.Cluster, bag);
            CheckGarpGroups(state.Cluster, bag);
            NotificationRules.Check(state.Cluster, bag);
        }

        var nodes = state.ClusterSpec.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var scripts = state.VrrpScripts.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var instances = state.VrrpInstances.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var instance in state.VrrpInstances)
        {
            var members = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < instance.Spec.Members.Count; i++)
            {
                var node = instance.Spec.Members[i].Node;
                var field = $"spec.members[{i}].node";
                if (!nodes.Contains(node) && state.Cluster is not null)
                {
                    bag.Error(instance.Origin, field, "unknown-node",
                        $"node '{node}' is not in the Cluster's nodes{NearMiss.Suggestion(node, nodes)}");
                }
                if (!members.TryAdd(node, i))
                {
                    bag.Error(instance.Origin, field, "duplicate-member", $"node '{node}' is already a member (spec.members[{members[node]}])");
                }
            }
            for (var i = 0; i < instance.Spec.TrackScripts.Count; i++)
            {
                var script = instance.Spec.TrackScripts[i].Name;
                if (!scripts.Contains(script) && !unreadable.Contains(Kinds.VrrpScript, script))
                {
                    bag.Error(instance.Origin, $"spec.trackScripts[{i}].name", "unknown-script",
                        $"tracks VrrpScript '{script}', which no document defines{NearMiss.Suggestion(script, scripts)}");
                }
            }
        }

        var groupOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in state.SyncGroups)
        {
            for (var i = 0; i < group.Spec.Instances.Count; i++)
            {
                var instance = group.Spec.Instances[i];
                var field = $"spec.instances[{i}]";
                if (!instances.Contains(instance))
                {
                    if (unreadable.Contains(Kinds.VrrpInstance, instance))
                    {
                        continue;
                    }
                    bag.Error(group.Origin, field, "unknown-instance",
                        $"VrrpInstance '{instance}' is not defined{NearMiss.Suggestion(instance, instances)}");
                }
                else if (!groupOf.TryAdd(instance, group.Name) && groupOf[instance] != group.Name)
                {
                    bag.Error(group.Origin, field, "instance-in-two-groups",
                        $"VrrpInstance '{instance}' is already in SyncGroup '{groupOf[instance]}'; an instance belongs to one group at most");
                }
            }
        }
    }

    private static void CheckNodes(Resource<ClusterSpec> cluster, DiagnosticBag bag)
    {
        if (cluster.Spec.PeerStatus is { } peers && (peers.KeyFile is null) == (peers.KeyEnvironment is null))
        {
            bag.Error(cluster.Origin, "spec.peerStatus", "peer-key", "peerStatus takes its key from keyFile or from keyEnvironment: give one of them");
        }
        if (cluster.Spec.Rollout is { WaitForPeers: true } && cluster.Spec.PeerStatus is null)
        {
            bag.Error(cluster.Origin, "spec.rollout.waitForPeers", "rollout-needs-peers",
                "waitForPeers asks each node's peers whether they have applied a commit: it needs spec.peerStatus (a port and the cluster's key)");
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cluster.Spec.Nodes.Count; i++)
        {
            var node = cluster.Spec.Nodes[i];
            if (!seen.TryAdd(node.Name, i))
            {
                bag.Error(cluster.Origin, $"spec.nodes[{i}].name", "duplicate-name", $"node '{node.Name}' is already defined at spec.nodes[{seen[node.Name]}]");
            }
            if (cluster.Spec.PeerStatus is not null && node.Daemon == NodeDaemon.Vigil && PeerStatusSpec.AddressOf(node) is null)
            {
                bag.Error(cluster.Origin, $"spec.nodes[{i}]", "peer-address",
                    $"peerStatus serves on each node's first interface address, and node '{node.Name}' has none");
            }
            var interfaces = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < node.Interfaces.Count; j++)
            {
                if (!interfaces.Add(node.Interfaces[j].Name))
                {
                    bag.Error(cluster.Origin, $"spec.nodes[{i}].interfaces[{j}].name", "duplicate-name",
                        $"interface '{node.Interfaces[j].Name}' is listed twice for node '{node.Name}'");
                }
            }
        }
    }

    /// <summary>An interface is paced by one garp group: keepalived refuses one named twice.</summary>
    private static void CheckGarpGroups(Resource<ClusterSpec> cluster, DiagnosticBag bag)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cluster.Spec.GarpGroups.Count; i++)
        {
            var group = cluster.Spec.GarpGroups[i];
            for (var j = 0; j < group.Interfaces.Count; j++)
            {
                if (!seen.TryAdd(group.Interfaces[j], i))
                {
                    bag.Error(cluster.Origin, $"spec.garpGroups[{i}].interfaces[{j}]", "duplicate-name",
                        $"interface '{group.Interfaces[j]}' is already paced by spec.garpGroups[{seen[group.Interfaces[j]]}]");
                }
            }
        }
    }
}

/// <summary>Finds the known name an operator most likely meant.</summary>
public static class NearMiss
{
    /// <summary>"; did you mean 'x'?" when a known name is close, else nothing: appended to "unknown ..." messages.</summary>
    public static string Suggestion(string name, IEnumerable<string> known) =>
        Closest(name, known) is { } best ? $"; did you mean '{best}'?" : "";

    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        return bestDistance <= Math.Max(2, name.Length / 4) ? best : null;
    }

    /// <summary>Levenshtein distance, ignoring case.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
