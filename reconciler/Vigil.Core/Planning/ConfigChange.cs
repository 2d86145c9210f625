namespace Vigil.Core.Planning;

/// <summary>What a change between two revisions is about, as operators name the parts of keepalived.conf.</summary>
public enum ChangeTarget { Node, Instance, VirtualAddress, SyncGroup, VrrpScript, VirtualServer, RealServer, Notification }

/// <summary>
/// One difference a node would see between two revisions of the cluster: something added or removed, or one field
/// edited from <see cref="Before"/> to <see cref="After"/>. <see cref="Note"/> says what it does on the node
/// (the master moving, an instance restarting).
/// </summary>
public sealed record ConfigChange(
    ChangeAction Kind,
    ChangeTarget Target,
    string Name,
    string? Field = null,
    string? Before = null,
    string? After = null,
    string? Note = null)
{
    public char Sign => Kind switch { ChangeAction.Add => '+', ChangeAction.Delete => '-', _ => '~' };

    public string TargetName => Target switch
    {
        ChangeTarget.Node => "node",
        ChangeTarget.Instance => "instance",
        ChangeTarget.VirtualAddress => "vip",
        ChangeTarget.SyncGroup => "sync group",
        ChangeTarget.VrrpScript => "vrrp script",
        ChangeTarget.VirtualServer => "virtual server",
        ChangeTarget.RealServer => "real server",
        _ => "notification",
    };

    /// <summary>"~ instance vi_1: priority 100 -> 50 (master moves ka1 -> ka2)"; "+ vip 198.51.100.101/24 on vi_1".</summary>
    public override string ToString()
    {
        var detail = Kind == ChangeAction.Edit ? $": {Field} {Before ?? "none"} -> {After ?? "none"}" : "";
        return $"{Sign} {TargetName} {Name}{detail}" + (Note is null ? "" : $" ({Note})");
    }
}

/// <summary>Every change one node would see, in the order the agent would apply them.</summary>
public sealed record NodePlan(string Node, IReadOnlyList<ConfigChange> Changes);

/// <summary>The plan between two revisions of a cluster: one entry per node, nodes without changes included.</summary>
public sealed record ClusterPlan(IReadOnlyList<NodePlan> Nodes)
{
    /// <summary>The order each changed VRRP group's nodes should take the change in (see <see cref="RolloutOrder"/>).</summary>
    public IReadOnlyList<InstanceRollout> Rollouts { get; init; } = [];

    public int ChangeCount => Nodes.Sum(n => n.Changes.Count);

    public bool IsEmpty => ChangeCount == 0;
}
