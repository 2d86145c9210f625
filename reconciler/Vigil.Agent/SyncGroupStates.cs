using Vigil.Core.Desired;

namespace Vigil.Agent;

/// <summary>A sync group's state changed: notify it before the instance's own line (BACKUP, FAULT) or after it (MASTER, STOP).</summary>
public sealed record GroupChange(NodeSyncGroup Group, string State, bool BeforeInstance);

/// <summary>
/// A sync group's state as keepalived reports it, from its instances' (keepalived's state names): FAULT as soon as
/// one faults, BACKUP as soon as one is backup (the others follow), MASTER once all are, STOP once all have stopped;
/// in between (one master of two) it keeps the state it had. Owned by the notifier; called under its lock.
/// </summary>
public sealed class SyncGroupStates
{
    private readonly Dictionary<string, string> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _groups = new(StringComparer.Ordinal);

    public IReadOnlyList<GroupChange> Observe(string instance, string state, IReadOnlyList<NodeSyncGroup> groups)
    {
        _instances[instance] = state;
        var changes = new List<GroupChange>();
        foreach (var group in groups.Where(g => g.Instances.Contains(instance)))
        {
            var states = group.Instances.Select(i => _instances.GetValueOrDefault(i, "INIT")).ToList();
            var next = states.Contains("FAULT") ? "FAULT"
                : states.All(s => s == "MASTER") ? "MASTER"
                : states.All(s => s == "STOP") ? "STOP"
                : states.Contains("BACKUP") ? "BACKUP"
                : null;
            if (next is not null && _groups.GetValueOrDefault(group.Name) != next)
            {
                _groups[group.Name] = next;
                changes.Add(new GroupChange(group, next, next is "BACKUP" or "FAULT"));
            }
        }
        return changes;
    }
}
