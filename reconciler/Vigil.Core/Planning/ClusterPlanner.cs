using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using Vigil.Core.Secrets;
using Vigil.Core.Desired;

namespace Vigil.Core.Planning;

/// <summary>
/// What every node would see change between two revisions of a cluster (pure: the dry run CI prints on a pull
/// request). Each node's effective state is compared, so defaults, derived unicast peers and per-node priorities
/// count as the agent would see them. Who becomes master is judged by configured priority, as the election would.
/// </summary>
public static class ClusterPlanner
{
    /// <summary><paramref name="before"/> null: everything in <paramref name="after"/> is new.</summary>
    public static ClusterPlan Between(DesiredState? before, DesiredState after)
    {
        // Each node's view of each revision, projected once: the changes, the masters and the rollout order read it.
        var beforeNodes = Projections(before);
        var afterNodes = Projections(after);
        var mastersBefore = Masters(beforeNodes);
        var mastersAfter = Masters(afterNodes);
        var plans = new List<NodePlan>();
        foreach (var node in afterNodes.Keys.Concat(beforeNodes.Keys.Except(afterNodes.Keys)))
        {
            plans.Add(new NodePlan(node, NodeChanges(beforeNodes.GetValueOrDefault(node), afterNodes.GetValueOrDefault(node), mastersBefore, mastersAfter)));
        }
        return new ClusterPlan(plans) { Rollouts = before is null ? [] : RolloutOrder.Between(beforeNodes.Values, afterNodes.Values) };
    }

    /// <summary>Node name -> its desired state, in the Cluster's order (a name given twice, in an invalid base, once).</summary>
    private static Dictionary<string, NodeDesiredState> Projections(DesiredState? state)
    {
        var nodes = new Dictionary<string, NodeDesiredState>();
        foreach (var node in state?.ClusterSpec.Nodes ?? [])
        {
            if (!nodes.ContainsKey(node.Name))
            {
                nodes[node.Name] = NodeProjection.For(state!, node.Name);
            }
        }
        return nodes;
    }

    /// <summary>Instance name -> the node expected to be master (the highest configured priority).</summary>
    private static Dictionary<string, string> Masters(Dictionary<string, NodeDesiredState> nodes)
    {
        var masters = new Dictionary<string, string>();
        foreach (var (name, node) in nodes)
        {
            foreach (var instance in node.VrrpInstances.Where(i => i.PreferredMaster))
            {
                masters.TryAdd(instance.Name, name);
            }
        }
        return masters;
    }

    private static List<ConfigChange> NodeChanges(NodeDesiredState? old, NodeDesiredState? next, Dictionary<string, string> mastersBefore, Dictionary<string, string> mastersAfter)
    {
        if (next is null)
        {
            return [new(ChangeAction.Delete, ChangeTarget.Node, old!.Node, Note: $"its {old.VrrpInstances.Count} instance(s) and {old.VirtualServers.Count} virtual server(s) stop")];
        }
        var changes = new List<ConfigChange>();
        if (old is null)
        {
            changes.Add(new(ChangeAction.Add, ChangeTarget.Node, next.Node));
        }
        var empty = new NodeDesiredState { Node = next.Node };
        InstanceChanges(old ?? empty, next, mastersBefore, mastersAfter, changes);
        Keyed(changes, ChangeTarget.SyncGroup, (old ?? empty).SyncGroups, next.SyncGroups, g => g.Name, g => g, _ => null);
        Keyed(changes, ChangeTarget.VrrpScript, (old ?? empty).VrrpScripts, next.VrrpScripts, s => s.Name, s => s.Spec, s => s.Spec.Script);
        VirtualServerChanges((old ?? empty).VirtualServers, next.VirtualServers, changes);
        foreach (var (field, before, after) in FieldChanges((old ?? empty).Notification, next.Notification))
        {
            changes.Add(new(ChangeAction.Edit, ChangeTarget.Notification, "settings", field, before, after));
        }
        return changes;
    }

    private static void InstanceChanges(NodeDesiredState old, NodeDesiredState next, Dictionary<string, string> mastersBefore, Dictionary<string, string> mastersAfter, List<ConfigChange> changes)
    {
        var before = old.VrrpInstances.ToDictionary(i => i.Name);
        var after = next.VrrpInstances.ToDictionary(i => i.Name);
        var vips = new List<ConfigChange>();
        foreach (var step in ReloadPlan.Between(old, next))
        {
            var name = step.Instance;
            string? MasterMove() =>
                mastersBefore.GetValueOrDefault(name) is var from && mastersAfter.GetValueOrDefault(name) is var to && from != to && from is not null && to is not null
                    ? $"master moves {from} -> {to}" : null;
            switch (step.Action)
            {
                case InstanceAction.Start:
                    var started = after[name];
                    changes.Add(new(ChangeAction.Add, ChangeTarget.Instance, name,
                        Note: $"VRID {started.VirtualRouterId} on {started.Interface}, priority {started.Priority}, " + (started.PreferredMaster ? "master" : "backup")));
                    VipChanges(name, [], started.VirtualAddresses, vips);
                    break;
                case InstanceAction.Stop:
                    changes.Add(new(ChangeAction.Delete, ChangeTarget.Instance, name));
                    VipChanges(name, before[name].VirtualAddresses, [], vips);
                    break;
                case InstanceAction.Adjust or InstanceAction.Restart:
                    var (was, now) = (before[name], after[name]);
                    var move = MasterMove();
                    if (was.Priority != now.Priority)
                    {
                        changes.Add(new(ChangeAction.Edit, ChangeTarget.Instance, name, "priority", Show(was.Priority), Show(now.Priority), move));
                    }
                    else if (move is not null)
                    {
                        changes.Add(new(ChangeAction.Edit, ChangeTarget.Instance, name, "master", mastersBefore[name], mastersAfter[name]));
                    }
                    var note = step.Action == InstanceAction.Restart ? "the instance restarts" : null;
                    foreach (var (field, b, a) in FieldChanges(was, now, nameof(NodeVrrpInstance.Priority), nameof(NodeVrrpInstance.PreferredMaster), nameof(NodeVrrpInstance.VirtualAddresses)))
                    {
                        changes.Add(new(ChangeAction.Edit, ChangeTarget.Instance, name, field, b, a, note));
                    }
                    VipChanges(name, was.VirtualAddresses, now.VirtualAddresses, vips);
                    break;
                case InstanceAction.Keep when MasterMove() is not null:
                    // Another node's priority changed: this node's part in the election did not, but its outcome did.
                    changes.Add(new(ChangeAction.Edit, ChangeTarget.Instance, name, "master", mastersBefore[name], mastersAfter[name]));
                    break;
            }
        }
        changes.AddRange(PairMoves(vips));
    }

    private static void VipChanges(string instance, IReadOnlyList<VirtualAddressSpec> before, IReadOnlyList<VirtualAddressSpec> after, List<ConfigChange> changes)
    {
        foreach (var gone in before.Where(b => after.All(a => a.Address != b.Address)))
        {
            changes.Add(new(ChangeAction.Delete, ChangeTarget.VirtualAddress, $"{gone.Address} from {instance}"));
        }
        foreach (var added in after.Where(a => before.All(b => b.Address != a.Address)))
        {
            changes.Add(new(ChangeAction.Add, ChangeTarget.VirtualAddress, $"{added.Address} on {instance}"));
        }
        foreach (var kept in after.Where(a => before.Any(b => b.Address == a.Address)))
        {
            foreach (var (field, b, a) in FieldChanges(before.First(b => b.Address == kept.Address), kept))
            {
                changes.Add(new(ChangeAction.Edit, ChangeTarget.VirtualAddress, $"{kept.Address} on {instance}", field, b, a));
            }
        }
    }

    /// <summary>A VIP removed from one instance and added to another is one move.</summary>
    private static IEnumerable<ConfigChange> PairMoves(List<ConfigChange> vips)
    {
        static string AddressOf(ConfigChange c) => c.Name[..c.Name.IndexOf(' ', StringComparison.Ordinal)];
        static string InstanceOf(ConfigChange c) => c.Name[(c.Name.LastIndexOf(' ') + 1)..];
        var moved = new HashSet<ConfigChange>();
        var result = new List<ConfigChange>();
        foreach (var removed in vips.Where(v => v.Kind == ChangeAction.Delete))
        {
            var added = vips.FirstOrDefault(v => v.Kind == ChangeAction.Add && !moved.Contains(v) && AddressOf(v) == AddressOf(removed));
            if (added is not null)
            {
                moved.Add(added);
                moved.Add(removed);
                result.Add(new(ChangeAction.Edit, ChangeTarget.VirtualAddress, AddressOf(removed), "instance", InstanceOf(removed), InstanceOf(added)));
            }
        }
        return result.Concat(vips.Where(v => !moved.Contains(v)));
    }

    private static void VirtualServerChanges(IReadOnlyList<NodeVirtualServer> before, IReadOnlyList<NodeVirtualServer> after, List<ConfigChange> changes)
    {
        Keyed(changes, ChangeTarget.VirtualServer, before, after, v => v.Name, v => v.Spec with { RealServers = [] },
            v => $"{v.Spec.Endpoint}, {v.Spec.RealServers.Count} real server(s)");
        foreach (var server in after)
        {
            var old = before.FirstOrDefault(b => b.Name == server.Name)?.Spec.RealServers ?? [];
            Keyed(changes, ChangeTarget.RealServer, old, server.Spec.RealServers, r => $"{Endpoints.Format(r.Address, r.Port)} in {server.Name}", r => r,
                r => $"weight {r.Weight}");
        }
    }

    /// <summary>
    /// Adds, removes and field edits of a named collection. <paramref name="compared"/> picks what is compared (a
    /// virtual server without its real servers, which are compared one by one); <paramref name="summary"/> describes an addition.
    /// </summary>
    private static void Keyed<T>(List<ConfigChange> changes, ChangeTarget target, IReadOnlyList<T> before, IReadOnlyList<T> after,
        Func<T, string> key, Func<T, object> compared, Func<T, string?> summary)
    {
        var old = before.ToDictionary(key);
        var next = after.ToDictionary(key);
        foreach (var (name, item) in old.Where(o => !next.ContainsKey(o.Key)))
        {
            changes.Add(new(ChangeAction.Delete, target, name));
        }
        foreach (var (name, item) in next)
        {
            if (!old.TryGetValue(name, out var was))
            {
                changes.Add(new(ChangeAction.Add, target, name, Note: summary(item)));
                continue;
            }
            foreach (var (field, b, a) in FieldChanges(compared(was), compared(item)))
            {
                changes.Add(new(ChangeAction.Edit, target, name, field, b, a));
            }
        }
    }

    /// <summary>
    /// The fields two values of one record type differ in, nested records walked ("healthCheck.httpGet.path"),
    /// as (camelCase path, before, after) in declaration order. Computed properties are not fields.
    /// </summary>
    // The records compared by reflection are the desired-state model's, in Vigil.Core, which the NativeAOT build
    // keeps whole (TrimmerRootAssembly in Vigil.Cli.csproj): their properties are all there.
    private const string TrimmedWhole = "Vigil.Core is rooted in the NativeAOT build: its records keep every property";

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = TrimmedWhole)]
    public static IEnumerable<(string Field, string? Before, string? After)> FieldChanges(object? before, object? after, params string[] skip)
    {
        if (Equals(before, after))
        {
            yield break;
        }
        var type = (before ?? after)!.GetType();
        if (!IsRecord(type) || before is null || after is null)
        {
            yield return ("", Show(before), Show(after));
            yield break;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && !skip.Contains(p.Name)))
        {
            var (b, a) = (property.GetValue(before), property.GetValue(after));
            if (Equals(b, a))
            {
                continue;
            }
            var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            if (property.IsDefined(typeof(SecretAttribute)))
            {
                yield return (name, Redaction.Hidden, Redaction.Changed); // that it changed, never what it is
                continue;
            }
            if (property.IsDefined(typeof(CredentialUrlAttribute)) && b is string urlBefore && a is string urlAfter)
            {
                var (shownBefore, shownAfter) = (Redaction.Url(urlBefore), Redaction.Url(urlAfter));
                yield return (name, shownBefore, shownBefore == shownAfter ? $"{shownAfter} {Redaction.Changed}" : shownAfter);
                continue;
            }
            foreach (var (field, x, y) in FieldChanges(b, a))
            {
                yield return (field.Length == 0 ? name : $"{name}.{field}", x, y);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimmedWhole)]
    private static bool IsRecord(Type type) =>
        type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    /// <summary>A value as an operator writes it in YAML: 1s not 00:00:01, lists in brackets, records as { field: value }.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = TrimmedWhole)]
    public static string? Show(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        TimeSpan duration => Durations.Format(duration),
        IPAddress or IpPrefix or Enum => value.ToString(),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Show)) + "]",
        _ when IsRecord(value.GetType()) => "{ " + string.Join(", ", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.GetValue(value) is not null)
            .Select(p => $"{char.ToLowerInvariant(p.Name[0])}{p.Name[1..]}: {ShowProperty(p, value)}")) + " }",
        _ => value.ToString(),
    };

    private static string? ShowProperty(PropertyInfo property, object owner) =>
        property.IsDefined(typeof(SecretAttribute)) ? Redaction.Hidden
        : property.IsDefined(typeof(CredentialUrlAttribute)) && property.GetValue(owner) is string url ? Redaction.Url(url)
        : Show(property.GetValue(owner));
}
