using Vigil.Core.Desired;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent;

/// <summary>One of an instance's conditions, as Kubernetes and Flux write them: a type, true or false, and why.</summary>
public sealed record InstanceCondition(string Type, bool Status, string Reason)
{
    public const string Ready = "Ready";
    public const string Progressing = "Progressing";
    public const string Stalled = "Stalled";
}

/// <summary>
/// Each instance of the running revision, judged (pure): Ready when it runs as master or backup; Progressing while it
/// starts; Stalled when it could not start (its interface missing: retried when a link appears) or its tracking holds
/// it in Fault. Every declared instance has the three, so a dashboard sees one that does not run at all.
/// </summary>
public static class InstanceConditions
{
    public static IReadOnlyDictionary<string, IReadOnlyList<InstanceCondition>> Of(
        NodeDesiredState? running, IReadOnlyList<VirtualRouterStatus> routers, IReadOnlyDictionary<string, string> notStarted)
    {
        var byName = routers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var conditions = new SortedDictionary<string, IReadOnlyList<InstanceCondition>>(StringComparer.Ordinal);
        foreach (var instance in running?.VrrpInstances ?? [])
        {
            conditions[instance.Name] = byName.TryGetValue(instance.Name, out var router) ? OfRunning(router)
                : Judged(ready: false, progressing: false, stalled: true,
                    notStarted.TryGetValue(instance.Name, out var why) ? $"not running: {why}" : "not running");
        }
        return conditions;
    }

    private static IReadOnlyList<InstanceCondition> OfRunning(VirtualRouterStatus router) => router.State switch
    {
        VrrpState.Master or VrrpState.Backup => Judged(ready: true, progressing: false, stalled: false, $"{router.State.ToString().ToLowerInvariant()}: {router.Reason}"),
        VrrpState.Fault => Judged(ready: false, progressing: false, stalled: true, $"fault: {router.Reason}"),
        _ => Judged(ready: false, progressing: true, stalled: false, "starting"),
    };

    private static InstanceCondition[] Judged(bool ready, bool progressing, bool stalled, string reason) =>
    [
        new(InstanceCondition.Ready, ready, reason),
        new(InstanceCondition.Progressing, progressing, reason),
        new(InstanceCondition.Stalled, stalled, reason),
    ];
}
