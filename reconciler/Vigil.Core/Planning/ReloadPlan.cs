using Vigil.Core.Desired;

namespace Vigil.Core.Planning;

public enum InstanceAction
{
    /// <summary>Unchanged: state and VIPs untouched.</summary>
    Keep,
    /// <summary>Changed only in what can change in place (VIPs, priority, v3's advert interval, GARP, tracking, hooks, accept mode): state kept.</summary>
    Adjust,
    /// <summary>Changed in what the wire or the election depends on: stopped cleanly, started again.</summary>
    Restart,
    Start,
    Stop,
}

public sealed record InstanceReload(string Instance, InstanceAction Action);

/// <summary>What a reload does to each instance: pure, from the running and the next desired state of the node.</summary>
public static class ReloadPlan
{
    public static IReadOnlyList<InstanceReload> Between(NodeDesiredState? running, NodeDesiredState next)
    {
        var before = running?.VrrpInstances.ToDictionary(i => i.Name) ?? [];
        var (changedGroups, hooksChanged) = ChangedSyncGroups(running, next);
        var plan = new List<InstanceReload>();
        foreach (var instance in before.Values.Where(i => next.VrrpInstances.All(n => n.Name != i.Name)))
        {
            plan.Add(new(instance.Name, InstanceAction.Stop));
        }
        foreach (var instance in next.VrrpInstances)
        {
            var action = !before.TryGetValue(instance.Name, out var old) ? InstanceAction.Start
                : instance.SyncGroup is { } g && changedGroups.Contains(g) ? InstanceAction.Restart
                : old == instance ? (instance.SyncGroup is { } h && hooksChanged.Contains(h) ? InstanceAction.Adjust : InstanceAction.Keep)
                : AdjustableOnly(old, instance) ? InstanceAction.Adjust
                : InstanceAction.Restart;
            plan.Add(new(instance.Name, action));
        }
        return plan;
    }

    /// <summary>
    /// True when the two differ only in fields the running machine can take in place. The owner priority (255)
    /// changes how the machine starts, so moving to or from it restarts.
    /// </summary>
    private static bool AdjustableOnly(NodeVrrpInstance old, NodeVrrpInstance next) =>
        (old.Priority == 255) == (next.Priority == 255)
        // v3 backups adopt the master's interval; a v2 backup discards adverts of another, so its change restarts.
        && (old.AdvertInterval == next.AdvertInterval || (old.Version == 3 && next.Version == 3))
        && old with
        {
            AdvertInterval = next.AdvertInterval,
            Priority = next.Priority,
            PreferredMaster = next.PreferredMaster,
            VirtualAddresses = next.VirtualAddresses,
            ExcludedAddresses = next.ExcludedAddresses,
            VirtualRoutes = next.VirtualRoutes,
            VirtualRules = next.VirtualRules,
            Garp = next.Garp,
            Notify = next.Notify,
            TrackInterfaces = next.TrackInterfaces,
            TrackScripts = next.TrackScripts,
            TrackFiles = next.TrackFiles,
            TrackProcesses = next.TrackProcesses,
            // Only the firewall follows accept mode.
            Accept = next.Accept,
        } == next;

    /// <summary>
    /// Groups whose membership changed (their members restart together) and groups whose hooks alone changed (taken in
    /// place: a hook edit must not fail the VIPs over twice).
    /// </summary>
    private static (HashSet<string> Changed, HashSet<string> HooksOnly) ChangedSyncGroups(NodeDesiredState? running, NodeDesiredState next)
    {
        var before = (running?.SyncGroups ?? []).ToDictionary(g => g.Name);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var hooksOnly = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in next.SyncGroups)
        {
            if (!before.TryGetValue(group.Name, out var old) || old with { Notify = group.Notify } != group)
            {
                changed.Add(group.Name);
            }
            else if (old != group)
            {
                hooksOnly.Add(group.Name);
            }
        }
        return (changed, hooksOnly);
    }
}
