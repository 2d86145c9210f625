using System.Net;
using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>VRRP rules from RFC 3768 / RFC 5798 and keepalived's limits.</summary>
internal static class VrrpInstanceRules
{
    private static readonly TimeSpan MaxPreemptDelay = TimeSpan.FromSeconds(1000); // keepalived's limit

    public static void Check(DesiredState state, bool clusterKnown, DiagnosticBag bag)
    {
        var cluster = state.ClusterSpec;
        var routerIds = new Dictionary<(string Interface, IpFamily Family, int Vrid), Resource<VrrpInstanceSpec>>();
        var vipOwners = new Dictionary<IPAddress, (Resource<VrrpInstanceSpec> Instance, string Field)>();
        foreach (var instance in state.VrrpInstances)
        {
            var spec = instance.Spec;
            var resolved = ResolvedVrrpInstance.From(spec, cluster.Defaults);
            var origin = instance.Origin;

            if (resolved.Interface is null && clusterKnown)
            {
                bag.Error(origin, "spec.interface", "interface-missing", "no interface: set spec.interface, or defaults.interface in the Cluster");
            }
            else if (resolved.Interface is not null && !routerIds.TryAdd((resolved.Interface, resolved.Family, spec.VirtualRouterId), instance))
            {
                var first = routerIds[(resolved.Interface, resolved.Family, spec.VirtualRouterId)];
                bag.Error(origin, "spec.virtualRouterId", "vrid-unique",
                    $"virtualRouterId {spec.VirtualRouterId} on {resolved.Interface} ({resolved.Family}) is already used by VrrpInstance '{first.Name}' ({At(first.Origin, "spec.virtualRouterId")})");
            }

            CheckVersion(instance, resolved, bag);
            CheckAddresses(instance, resolved, vipOwners, bag);
            if (clusterKnown)
            {
                CheckPriorities(instance, cluster, bag);
            }
            CheckPreempt(instance, bag);
            StrictRules.Check(instance, resolved, cluster.Defaults, bag);
            CheckTrackWeights(instance, state, bag);
            TrackProcessRules.Check(instance, bag);
            if (spec.Transport == VrrpTransport.Unicast && resolved.Interface is not null && clusterKnown)
            {
                CheckUnicastAddresses(instance, resolved, cluster, bag);
            }
            if (resolved.Family == IpFamily.IPv6 && resolved.Interface is not null && clusterKnown)
            {
                CheckLinkLocals(instance, resolved, cluster, bag);
            }
            CheckExternalPeers(instance, resolved, cluster, bag);
        }
    }

    /// <summary>
    /// IPv6 adverts come from the sender's link-local address: the drift report tells a member from a foreign router
    /// only when the Cluster lists each member's.
    /// </summary>
    private static void CheckLinkLocals(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved, ClusterSpec cluster, DiagnosticBag bag)
    {
        var unlisted = instance.Spec.Members.Select(m => m.Node)
            .Where(name => cluster.Nodes.FirstOrDefault(n => n.Name == name)?.Interface(resolved.Interface!) is not { } i || !i.Addresses.Any(a => a.Address.IsIPv6LinkLocal))
            .ToList();
        if (unlisted.Count > 0)
        {
            bag.Warning(instance.Origin, "spec.members", "link-local-unlisted",
                $"IPv6 adverts come from link-local addresses, and the Cluster lists none on {resolved.Interface} for node(s) {string.Join(", ", unlisted.Select(n => $"'{n}'"))}: the drift report will call their adverts a foreign router's; list each node's fe80:: address");
        }
    }

    private static void CheckVersion(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved, DiagnosticBag bag)
    {
        var spec = instance.Spec;
        var interval = resolved.AdvertInterval;
        var intervalField = spec.AdvertInterval is null ? "spec" : "spec.advertInterval";
        if (resolved.Version == 2)
        {
            // RFC 3768 section 5.3.7: Adver Int is whole seconds in 8 bits.
            if (interval.Ticks % TimeSpan.TicksPerSecond != 0 || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(255))
            {
                bag.Error(instance.Origin, intervalField, "advert-interval",
                    $"advertInterval {Durations.Format(interval)} is not possible with VRRPv2: whole seconds from 1s to 255s (use version 3 for sub-second adverts)");
            }
            if (resolved.Family == IpFamily.IPv6)
            {
                bag.Error(instance.Origin, spec.Version is null ? "spec" : "spec.version", "ipv6-needs-v3",
                    "IPv6 virtual addresses need VRRP version 3 (RFC 3768 is IPv4 only)");
            }
        }
        else
        {
            // RFC 5798 section 5.2.7: Max Adver Int is 12 bits of centiseconds.
            if (interval.Ticks % (TimeSpan.TicksPerMillisecond * 10) != 0 || interval < TimeSpan.FromMilliseconds(10) || interval > TimeSpan.FromMilliseconds(40950))
            {
                bag.Error(instance.Origin, intervalField, "advert-interval",
                    $"advertInterval {Durations.Format(interval)} is not possible with VRRPv3: centiseconds from 10ms to 40.95s");
            }
            if (spec.Authentication is not null)
            {
                bag.Error(instance.Origin, "spec.authentication", "auth-v2-only",
                    "authentication exists only in VRRPv2; RFC 5798 removed it and keepalived ignores it for version 3");
            }
        }
    }

    private static void CheckAddresses(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved,
        Dictionary<IPAddress, (Resource<VrrpInstanceSpec> Instance, string Field)> owners, DiagnosticBag bag)
    {
        var spec = instance.Spec;
        if (spec.VirtualAddresses.Count == 0)
        {
            bag.Warning(instance.Origin, "spec.virtualAddresses", "no-vips", "the instance has no virtual addresses: it elects a master but moves nothing");
        }
        Claim(spec.VirtualAddresses, "spec.virtualAddresses", checkFamily: true);
        Claim(spec.ExcludedAddresses, "spec.excludedAddresses", checkFamily: false);

        void Claim(ValueList<VirtualAddressSpec> addresses, string listField, bool checkFamily)
        {
            for (var i = 0; i < addresses.Count; i++)
            {
                var address = addresses[i].Address.Address;
                var field = $"{listField}[{i}].address";
                if (checkFamily && ResolvedVrrpInstance.FamilyOf(address) != resolved.Family)
                {
                    bag.Error(instance.Origin, field, "family-mismatch",
                        $"{address} is {IpAddressText.FamilyName(address.AddressFamily)} but the instance is {resolved.Family}; put the other family in excludedAddresses or its own instance");
                }
                if (!owners.TryAdd(address, (instance, field)))
                {
                    var (first, firstField) = owners[address];
                    if (ReferenceEquals(first, instance))
                    {
                        // keepalived accepts an address listed twice in one instance (say once with a label): its adverts
                        // carry it twice, and the kernel holds it once, as the first entry says.
                        bag.Warning(instance.Origin, field, "vip-repeated",
                            $"{address} is also listed at {At(first.Origin, firstField)}: adverts carry it twice, as keepalived's do, and the node holds it once, with the first entry's dev, scope and label");
                        continue;
                    }
                    bag.Error(instance.Origin, field, "vip-unique",
                        $"{address} is already claimed by VrrpInstance '{first.Name}' ({At(first.Origin, firstField)}); a virtual address belongs to exactly one instance");
                }
            }
        }
    }

    private static void CheckPriorities(Resource<VrrpInstanceSpec> instance, ClusterSpec cluster, DiagnosticBag bag)
    {
        var members = instance.Spec.Members;
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Priority != 255)
            {
                continue;
            }
            // RFC 5798 section 6.1: 255 is reserved for the router that owns the virtual addresses.
            var node = cluster.Nodes.FirstOrDefault(n => n.Name == members[i].Node);
            var own = node?.Interfaces.SelectMany(x => x.Addresses).Select(a => a.Address).ToHashSet() ?? [];
            var notOwned = instance.Spec.VirtualAddresses.Select(v => v.Address.Address).Where(a => !own.Contains(a)).ToList();
            if (notOwned.Count > 0 || instance.Spec.VirtualAddresses.Count == 0)
            {
                bag.Error(instance.Origin, $"spec.members[{i}].priority", "priority-owner",
                    $"priority 255 is reserved for the address owner, and node '{members[i].Node}' does not have {string.Join(", ", notOwned)} as its own address; use 1-254");
            }
        }
    }

    private static void CheckPreempt(Resource<VrrpInstanceSpec> instance, DiagnosticBag bag)
    {
        var spec = instance.Spec;
        if (spec.PreemptDelay > TimeSpan.Zero && !spec.Preempt)
        {
            bag.Error(instance.Origin, "spec.preemptDelay", "preempt-delay",
                "preemptDelay has no effect with preempt: false; remove one of them");
        }
        if (spec.PreemptDelay > MaxPreemptDelay)
        {
            bag.Error(instance.Origin, "spec.preemptDelay", "preempt-delay", $"preemptDelay {Durations.Format(spec.PreemptDelay)} is above keepalived's limit of 1000s");
        }
    }

    /// <summary>
    /// The classic keepalived pitfall: with priorities 100 and 90, a tracked script of weight -5 can
    /// never make the master's priority fall below the backup's, so the failover it is meant for never happens.
    /// </summary>
    private static void CheckTrackWeights(Resource<VrrpInstanceSpec> instance, DesiredState state, DiagnosticBag bag)
    {
        var ranked = instance.Spec.Members.OrderByDescending(m => m.Priority).ToList();
        if (ranked.Count < 2)
        {
            return;
        }
        var (master, next) = (ranked[0], ranked[1]);
        var gap = master.Priority - next.Priority;
        for (var i = 0; i < instance.Spec.TrackScripts.Count; i++)
        {
            var track = instance.Spec.TrackScripts[i];
            var weight = track.Weight ?? state.VrrpScripts.FirstOrDefault(s => s.Name == track.Name)?.Spec.Weight;
            Warn(weight, track.Weight is null ? $"spec.trackScripts[{i}]" : $"spec.trackScripts[{i}].weight", $"script '{track.Name}'");
        }
        for (var i = 0; i < instance.Spec.TrackInterfaces.Count; i++)
        {
            var track = instance.Spec.TrackInterfaces[i];
            Warn(track.Weight, $"spec.trackInterfaces[{i}].weight", $"interface '{track.Name}'");
        }
        for (var i = 0; i < instance.Spec.TrackProcesses.Count; i++)
        {
            var track = instance.Spec.TrackProcesses[i];
            Warn(track.Reverse ? -track.Weight : track.Weight, $"spec.trackProcesses[{i}].weight", $"process '{track.Process}'");
        }

        void Warn(int? weight, string field, string what)
        {
            if (weight is not < 0 || -weight.Value > gap)
            {
                return;
            }
            bag.Warning(instance.Origin, field, "weight-too-small",
                $"{what} with weight {weight} can never cause a failover: node '{master.Node}' priority {master.Priority} {weight} = {master.Priority + weight} " +
                $"is not below node '{next.Node}' priority {next.Priority}; use a weight of {-(gap + 1)} or lower");
        }
    }

    /// <summary>External peers and the unicast TTL: unicast only; peers of the instance's family, and no member's own address (members are peers already).</summary>
    private static void CheckExternalPeers(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved, ClusterSpec cluster, DiagnosticBag bag)
    {
        var spec = instance.Spec;
        if (spec.UnicastTtl is not null && spec.Transport != VrrpTransport.Unicast)
        {
            bag.Error(instance.Origin, "spec.unicastTtl", "unicast-ttl-unicast", "unicastTtl is the TTL of unicast adverts: multicast adverts go with TTL 255 (RFC 5798 section 5.1.1.3); set transport: unicast or remove it");
        }
        if (spec.ExternalPeers.Count > 0 && spec.Transport != VrrpTransport.Unicast)
        {
            bag.Error(instance.Origin, "spec.externalPeers", "external-peers-unicast", "externalPeers are unicast peers: set transport: unicast (multicast reaches every router on the link)");
            return;
        }
        for (var i = 0; i < spec.ExternalPeers.Count; i++)
        {
            var peer = spec.ExternalPeers[i];
            if (ResolvedVrrpInstance.FamilyOf(peer) != resolved.Family)
            {
                bag.Error(instance.Origin, $"spec.externalPeers[{i}]", "family-mismatch", $"external peer {peer} is not {resolved.Family} like the instance");
            }
            else if (cluster.Nodes.FirstOrDefault(n => n.Interfaces.Any(f => f.Addresses.Any(a => a.Address.Equals(peer)))) is { } node)
            {
                bag.Error(instance.Origin, $"spec.externalPeers[{i}]", "external-peer-member", $"{peer} is the address of node '{node.Name}': a Cluster node is a member, not an external peer");
            }
        }
    }

    private static void CheckUnicastAddresses(Resource<VrrpInstanceSpec> instance, ResolvedVrrpInstance resolved, ClusterSpec cluster, DiagnosticBag bag)
    {
        for (var i = 0; i < instance.Spec.Members.Count; i++)
        {
            var member = instance.Spec.Members[i];
            var node = cluster.Nodes.FirstOrDefault(n => n.Name == member.Node);
            if (node is null)
            {
                continue; // reported as unknown-node
            }
            var hasAddress = node.Interface(resolved.Interface!)?.Addresses.Any(a => ResolvedVrrpInstance.FamilyOf(a.Address) == resolved.Family) ?? false;
            if (!hasAddress)
            {
                bag.Error(instance.Origin, $"spec.members[{i}].node", "unicast-address",
                    $"unicast needs an {resolved.Family} address for node '{member.Node}' on {resolved.Interface} in the Cluster, to derive the peers");
            }
        }
    }

    internal static string At(SourceOrigin origin, string field)
    {
        var position = origin.Locate(field);
        return $"{origin.File}:{position.Line}";
    }
}
