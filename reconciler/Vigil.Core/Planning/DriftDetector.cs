using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;

namespace Vigil.Core.Planning;

public enum DriftKind
{
    /// <summary>An address nobody configured on an interface Vigil manages (added by hand?).</summary>
    AddressAdded,
    /// <summary>A node address the Cluster lists is gone from its interface.</summary>
    AddressRemoved,
    /// <summary>The instance is master but one of its VIPs is not on the interface: clients lose it.</summary>
    VipMissingOnMaster,
    /// <summary>A VIP is on the interface while its instance is not master: two nodes may answer for it.</summary>
    VipOutsideMaster,
    /// <summary>The kernel's IPVS table differs from the configuration (changed by hand?): each change that would fix it.</summary>
    IpvsDiffers,
    /// <summary>By priority this node should be master (preemption on) but is not.</summary>
    NotPreferredMaster,
    /// <summary>A router that is none of the Cluster's nodes advertises on a managed VRID.</summary>
    ForeignRouter,
    /// <summary>Another router kept advertising as master while this one was master: split brain.</summary>
    SplitBrain,
    /// <summary>The master's adverts carry another address list than this instance's: a VIP may be served by nobody.</summary>
    AddressListMismatch,
    /// <summary>A static route or rule, or a master's virtual one, is not on the kernel (deleted by hand?): it is put back.</summary>
    RoutingMissing,
    /// <summary>A route or rule marked as Vigil's that nothing asks for now is on the kernel: it is removed.</summary>
    RoutingUnwanted,
}

/// <summary>
/// One way the node differs from its desired state; <see cref="Correctable"/> when `correct` mode may undo it. Address
/// findings name the address and interface to add or remove. <paramref name="Identity"/> names the finding where its
/// detail carries a count that changes from check to check: the same split brain is one finding, reported once.
/// </summary>
public sealed record DriftItem(DriftKind Kind, string Subject, string Detail, bool Correctable, string? Interface = null, IpPrefix? Address = null,
    string? Instance = null, string? Identity = null)
{
    /// <summary>What makes two checks' findings the same one.</summary>
    public string Key => $"{Kind} {Subject}: {Identity ?? Detail}";

    public override string ToString() => $"{Subject}: {Detail}";
}

/// <summary>
/// Compares what a node observes with what it should be (pure). Addresses are compared on the interfaces the node's
/// instances use; IPVS through the plan that would fix it; VRRP through the routers each instance hears.
/// </summary>
public static class DriftDetector
{
    /// <summary>Adverts from another master while this one is master, within one check, that make a split brain (one is a preemption).</summary>
    public const int SplitBrainAdverts = 3;

    public static IReadOnlyList<DriftItem> Detect(
        NodeDesiredState desired,
        ClusterSpec cluster,
        IReadOnlyList<ObservedAddress> addresses,
        IReadOnlyList<ObservedInstance> instances,
        IReadOnlyList<IpvsChange> ipvsPlan)
    {
        var items = new List<DriftItem>();
        AddressDrift(desired, cluster, addresses, instances, items);
        items.AddRange(ipvsPlan.Select(c => new DriftItem(DriftKind.IpvsDiffers, $"ipvs {c.Service}", $"differs from the configuration, which needs: {c}", true)));
        VrrpDrift(desired, cluster, instances, items);
        return items;
    }

    private static void AddressDrift(NodeDesiredState desired, ClusterSpec cluster, IReadOnlyList<ObservedAddress> addresses, IReadOnlyList<ObservedInstance> instances, List<DriftItem> items)
    {
        var node = cluster.Nodes.FirstOrDefault(n => n.Name == desired.Node);
        var running = instances.ToDictionary(i => i.Name);
        // Only instances that run are judged: one that could not start has its error in the log and status.
        var vips = desired.VrrpInstances.Where(i => running.ContainsKey(i.Name) && !i.UseVirtualMac)
            .SelectMany(i => i.VirtualAddresses.Select(v => (Instance: i.Name, Interface: v.Dev ?? i.Interface, v.Address, Master: running[i.Name].IsMaster)))
            .ToList();
        var managed = desired.VrrpInstances.Where(i => running.ContainsKey(i.Name)).Select(i => i.Interface).Concat(vips.Select(v => v.Interface)).ToHashSet();
        foreach (var name in managed.Order(StringComparer.Ordinal))
        {
            var configured = node?.Interface(name)?.Addresses ?? [];
            // Link-local addresses are the kernel's own: judged when the Cluster lists them, never reported as added.
            var held = addresses.Where(a => a.Interface == name).ToList();
            bool Holds(IpPrefix prefix) => held.Any(h => SameAddress(h.Address.Address, prefix.Address));
            foreach (var vip in vips.Where(v => v.Interface == name))
            {
                if (vip.Master && !Holds(vip.Address))
                {
                    items.Add(new(DriftKind.VipMissingOnMaster, $"{vip.Address} on {name}", $"{vip.Instance} is master but the VIP is not on the interface", true, name, vip.Address, vip.Instance));
                }
                else if (!vip.Master && Holds(vip.Address))
                {
                    items.Add(new(DriftKind.VipOutsideMaster, $"{vip.Address} on {name}", $"{vip.Instance} is {running[vip.Instance].State} but the VIP is on the interface", true, name, vip.Address, vip.Instance));
                }
            }
            foreach (var missing in configured.Where(c => !Holds(c)))
            {
                items.Add(new(DriftKind.AddressRemoved, $"{missing} on {name}", "listed for this node in the Cluster, not on the interface", true, name, missing));
            }
            foreach (var extra in held.Where(h => !h.Address.Address.IsIPv6LinkLocal && !configured.Any(c => c.Address.Equals(h.Address.Address)) && !vips.Any(v => v.Address.Address.Equals(h.Address.Address))))
            {
                // Undone only when the agent saw it added: an address that was there before the agent may be the operator's own.
                items.Add(new(DriftKind.AddressAdded, $"{extra.Address} on {name}",
                    extra.AddedWhileRunning ? "added by someone else while the agent ran; not in the configuration" : "not in the configuration", extra.AddedWhileRunning,
                    name, extra.Address));
            }
        }
    }

    private static void VrrpDrift(NodeDesiredState desired, ClusterSpec cluster, IReadOnlyList<ObservedInstance> instances, List<DriftItem> items)
    {
        var members = cluster.Nodes.SelectMany(n => n.Interfaces).SelectMany(i => i.Addresses).Select(a => Unscoped(a.Address)).ToHashSet();
        foreach (var observed in instances)
        {
            var instance = desired.VrrpInstances.FirstOrDefault(i => i.Name == observed.Name);
            if (instance is null)
            {
                continue;
            }
            var subject = $"{instance.Name} (VRID {instance.VirtualRouterId})";
            if (instance.PreferredMaster && instance.Preempt && observed.State == "Backup")
            {
                items.Add(new(DriftKind.NotPreferredMaster, subject,
                    $"should be master by priority ({instance.Priority}) but is backup; master is {observed.MasterSeen?.ToString() ?? "unknown"}", false));
            }
            if (observed.AddressListMismatchesSinceLastCheck > 0)
            {
                items.Add(new(DriftKind.AddressListMismatch, subject,
                    $"{observed.LastAddressListMismatch} ({observed.AddressListMismatchesSinceLastCheck} advert(s) since the last check)", false,
                    Identity: observed.LastAddressListMismatch));
            }
            var heard = observed.Routers.Where(r => r.AdvertsSinceLastCheck > 0).ToList();
            // An external peer (a keepalived router outside the Cluster) is expected to advertise.
            var foreign = heard.Where(r => !members.Contains(Unscoped(r.Address)) && !instance.UnicastPeers.Contains(Unscoped(r.Address))).ToList();
            var masters = heard.Where(r => r.WhileMasterSinceLastCheck >= SplitBrainAdverts).ToList();
            if (foreign.Count > ManyRouters || masters.Count > ManyRouters)
            {
                // Sources are unauthenticated: a flood from forged ones is one finding, not one (and one log line) each.
                AddMany(items, DriftKind.ForeignRouter, subject, foreign, "advertise but are none of the Cluster's nodes");
                AddMany(items, DriftKind.SplitBrain, subject, masters, "advertise as master while this node is master: split brain, or forged adverts");
                continue;
            }
            foreach (var router in foreign)
            {
                items.Add(new(DriftKind.ForeignRouter, subject, $"{router.Address} advertises (priority {router.Priority}) but is none of the Cluster's nodes"
                    + (router.Address.IsIPv6LinkLocal ? LinkLocalHint : ""), false));
            }
            foreach (var router in masters)
            {
                items.Add(new(DriftKind.SplitBrain, subject,
                    $"split brain: {router.Address} advertises as master while this node is master ({router.WhileMasterSinceLastCheck} adverts since the last check)", false,
                    Identity: $"another master, {router.Address}"));
            }
        }
    }

    /// <summary>More senders of one kind than this in one check are reported as one finding.</summary>
    public const int ManyRouters = 3;

    private static void AddMany(List<DriftItem> items, DriftKind kind, string subject, List<ObservedRouter> routers, string what)
    {
        if (routers.Count == 0)
        {
            return;
        }
        var named = string.Join(", ", routers.Take(ManyRouters).Select(r => r.Address));
        items.Add(new(kind, subject, $"{routers.Count} routers {what} ({named}{(routers.Count > ManyRouters ? $" and {routers.Count - ManyRouters} more" : "")})", false,
            Identity: $"many routers, {what}"));
    }

    // IPv6 adverts come from link-local addresses: a member's is known only when the Cluster lists it.
    private const string LinkLocalHint = " (IPv6 adverts come from link-local addresses: list each node's on its interface in the Cluster)";

    // A received link-local address carries the interface's scope; the Cluster's does not.
    private static IPAddress Unscoped(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    private static bool SameAddress(IPAddress a, IPAddress b) => Unscoped(a).Equals(Unscoped(b));
}
