using Serilog;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Netlink;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>What the periodic drift check does with what it finds: report it, or also undo what it safely can.</summary>
public enum DriftMode { Report, Correct }

/// <summary>The last drift check: what differs now, what was undone, and how often each kind was found since the start.</summary>
public sealed record DriftReport(DateTimeOffset CheckedAt, DriftMode Mode, IReadOnlyList<DriftItem> Items, IReadOnlyList<string> Corrected,
    IReadOnlyDictionary<DriftKind, long> Totals);

/// <summary>
/// The agent's periodic comparison of the node with its desired state (<see cref="DriftDetector"/> on what the
/// kernel and the engine report). A new finding is logged once as a structured warning; in correct mode the
/// address and IPVS findings are undone (VRRP findings are the election's to settle, and only reported).
/// </summary>
public sealed class DriftCheck(INodeKernel kernel, NodeAgent agent, ILogger log, DriftMode mode)
{
    private readonly Dictionary<(string, System.Net.IPAddress), (long Adverts, long WhileMaster)> _counted = [];
    private readonly Dictionary<DriftKind, long> _totals = [];
    private readonly Dictionary<string, long> _mismatchesCounted = [];
    private Dictionary<string, DriftItem> _known = [];

    public DriftMode Mode => mode;

    /// <summary>
    /// <paramref name="health"/>: what the health checks found, so that a failed real server out of the pool is not drift.
    /// <paramref name="owned"/>: the IPVS services Vigil made; any other service in the kernel is another tool's, not drift.
    /// </summary>
    public DriftReport Run(NodeDesiredState desired, ClusterSpec cluster, IIpvsKernel? ipvs, RealServerHealthLookup? health = null, IpvsOwnership? owned = null)
    {
        var links = kernel.Ports.Links().ToDictionary(l => l.Index);
        var addedByOthers = agent.AddressDrifts().Latest.Where(d => d.Event.Added).Select(d => (d.Event.Address.InterfaceIndex, d.Event.Address.Address)).ToHashSet();
        var addresses = Observe(kernel.Ports.Addresses(), links, a => addedByOthers.Contains((a.InterfaceIndex, a.Address)));
        var instances = agent.Status().Select(s => new ObservedInstance(s.Name, s.State.ToString(), s.MasterSeen,
            [.. s.Routers.Select(r => Since(s.Name, r))])
        {
            AddressListMismatchesSinceLastCheck = MismatchesSince(s.Name, s.AddressListMismatches),
            LastAddressListMismatch = s.LastAddressListMismatch,
        }).ToList();
        IReadOnlyList<IpvsChange> ipvsPlan = [];
        if (ipvs is not null)
        {
            try
            {
                ipvsPlan = IpvsPlanner.Plan(desired.VirtualServers.Select(v => v.Spec), ipvs.Read(), health, owned).Changes;
            }
            catch (Exception e) when (e is IpvsException or NetlinkException)
            {
                log.Warning("drift check: IPVS not read: {Error}", e.Message);
            }
        }
        var items = DriftDetector.Detect(desired, cluster, addresses, instances, ipvsPlan).Concat(RoutingDrift(agent.WantedRouting())).ToList();
        var current = items.DistinctBy(i => i.Key).ToDictionary(i => i.Key);
        foreach (var item in current.Values.Where(i => !_known.ContainsKey(i.Key)))
        {
            _totals[item.Kind] = _totals.GetValueOrDefault(item.Kind) + 1;
            log.Warning("drift {DriftKind}: {Subject}: {Detail}", item.Kind, item.Subject, item.Detail);
        }
        foreach (var gone in _known.Values.Where(k => !current.ContainsKey(k.Key)))
        {
            log.Information("drift resolved: {DriftKind} {Drift}", gone.Kind, gone.ToString());
        }
        _known = current;
        var corrected = mode == DriftMode.Correct ? Correct(items, links.Values.ToList(), desired, ipvs, health, owned) : [];
        return new DriftReport(DateTimeOffset.UtcNow, mode, items, corrected, new Dictionary<DriftKind, long>(_totals));
    }

    /// <summary>
    /// Routes and rules wanted now that the kernel lacks, and Vigil's own (protocol 86) that nothing wants: the routing
    /// applier, which the same check pokes, brings them back in line in either mode (as VIPs follow the state).
    /// </summary>
    private IEnumerable<DriftItem> RoutingDrift(RoutingEntries wanted)
    {
        IReadOnlyList<KernelRoute> routes;
        IReadOnlyList<KernelRule> rules;
        try
        {
            (routes, rules) = (kernel.Routing.Routes(), kernel.Routing.Rules());
        }
        catch (NetlinkException e)
        {
            log.Warning("drift check: routes and rules not read: {Error}", e.Message);
            return [];
        }
        var ours = routes.Where(r => r.Protocol == RouteMessages.VigilProtocol).ToList();
        var ourRules = rules.Where(r => r.Protocol == RouteMessages.VigilProtocol).ToList();
        return wanted.Routes.Where(w => !routes.Any(w.Matches)).Select(r => new DriftItem(DriftKind.RoutingMissing, "routing", $"route {r} is not on the kernel", true))
            .Concat(wanted.Rules.Where(w => !rules.Any(w.Matches)).Select(r => new DriftItem(DriftKind.RoutingMissing, "routing", $"rule {r} is not on the kernel", true)))
            .Concat(ours.Where(o => !wanted.Routes.Any(w => w.Matches(o))).Select(r => new DriftItem(DriftKind.RoutingUnwanted, "routing", $"route {r} is Vigil's but nothing asks for it", true)))
            .Concat(ourRules.Where(o => !wanted.Rules.Any(w => w.Matches(o))).Select(r => new DriftItem(DriftKind.RoutingUnwanted, "routing", $"rule {r} is Vigil's but nothing asks for it", true)))
            .ToList();
    }

    /// <summary>
    /// The kernel's addresses on named links, as the drift detector reads them; <paramref name="addedWhileRunning"/>
    /// marks those the agent saw someone else add (null: none known, as for `vigil plan`).
    /// </summary>
    public static IReadOnlyList<ObservedAddress> Observe(IReadOnlyList<InterfaceAddress> addresses, IReadOnlyDictionary<int, NetworkLink> links,
        Func<InterfaceAddress, bool>? addedWhileRunning = null) =>
        [.. addresses.Where(a => links.ContainsKey(a.InterfaceIndex))
            .Select(a => new ObservedAddress(links[a.InterfaceIndex].Name, new IpPrefix(a.Address, a.PrefixLength), addedWhileRunning?.Invoke(a) ?? false))];

    /// <summary>What a router sent since the previous check, from the engine's running counts.</summary>
    private long MismatchesSince(string instance, long total)
    {
        var before = _mismatchesCounted.GetValueOrDefault(instance);
        _mismatchesCounted[instance] = total;
        return total - before;
    }

    private ObservedRouter Since(string instance, Vigil.Vrrp.Engine.RouterSighting router)
    {
        var key = (instance, router.Address);
        var before = _counted.GetValueOrDefault(key);
        _counted[key] = (router.Adverts, router.WhileMaster);
        return new ObservedRouter(router.Address, router.Priority, router.Adverts - before.Adverts, router.WhileMaster - before.WhileMaster);
    }

    private List<string> Correct(IReadOnlyList<DriftItem> items, List<NetworkLink> links, NodeDesiredState desired, IIpvsKernel? ipvs, RealServerHealthLookup? health, IpvsOwnership? owned)
    {
        var corrected = new List<string>();
        foreach (var item in items.Where(i => i.Correctable && i.Address is not null))
        {
            var link = links.FirstOrDefault(l => l.Name == item.Interface);
            if (link is null)
            {
                continue;
            }
            var address = new InterfaceAddress(link.Index, item.Address!.Value.Address, item.Address.Value.PrefixLength, 0, null);
            var add = item.Kind is DriftKind.AddressRemoved or DriftKind.VipMissingOnMaster;
            try
            {
                if (add ? kernel.Addresses.Add(address) : kernel.Addresses.Delete(address))
                {
                    corrected.Add($"{(add ? "added" : "removed")} {item.Subject}");
                    log.Warning("drift corrected: {Change} {Subject}", add ? "added" : "removed", item.Subject);
                }
            }
            catch (NetlinkException e)
            {
                log.Error("drift not corrected: {Subject}: {Error}", item.Subject, e.Message);
            }
        }
        if (ipvs is not null && items.Any(i => i.Kind == DriftKind.IpvsDiffers))
        {
            var (_, result, _) = IpvsApplier.Converge(ipvs, desired.VirtualServers.Select(v => v.Spec), health, owned: owned);
            foreach (var change in result.Applied)
            {
                corrected.Add($"ipvs {change}");
                log.Warning("drift corrected: ipvs {Change}", change.ToString());
            }
            foreach (var failure in result.Failed)
            {
                log.Error("drift not corrected: {Error}", failure.Error);
            }
        }
        return corrected;
    }
}
