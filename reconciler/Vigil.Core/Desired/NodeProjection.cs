using System.Net;

namespace Vigil.Core.Desired;

/// <summary>Projects the cluster-wide desired state onto one node.</summary>
public static class NodeProjection
{
    /// <param name="runAs">Who runs the scripts that name no user (the agent works it out on the node); the agent's own identity when null.</param>
    public static NodeDesiredState For(DesiredState state, string nodeName, Security.ScriptRunAs? runAs = null)
    {
        runAs ??= Security.ScriptRunAs.Agent;
        var cluster = state.ClusterSpec;
        var node = cluster.Nodes.FirstOrDefault(n => n.Name == nodeName)
            ?? throw new KeyNotFoundException(UnknownNode(cluster, nodeName));

        var groupOf = state.SyncGroups
            .SelectMany(g => g.Spec.Instances.Select(i => (Instance: i, Group: g.Name)))
            .ToDictionary(x => x.Instance, x => x.Group, StringComparer.Ordinal);

        var instances = state.VrrpInstances
            .Where(i => i.Spec.Members.Any(m => m.Node == nodeName))
            .Select(i => Project(i, node, cluster, state, groupOf.GetValueOrDefault(i.Name)) with { Notify = runAs.Fill(i.Spec.Notify) })
            .ToList();
        var names = instances.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var tracked = instances.SelectMany(i => i.TrackScripts).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        return new NodeDesiredState
        {
            Node = node.Name,
            RouterId = node.EffectiveRouterId,
            Daemon = node.Daemon,
            VrrpInstances = [.. instances],
            SyncGroups = [.. state.SyncGroups
                .Where(g => g.Spec.Instances.Any(names.Contains))
                .Select(g => new NodeSyncGroup(g.Name, [.. g.Spec.Instances.Where(names.Contains)], runAs.Fill(g.Spec.Notify)))],
            VrrpScripts = [.. state.VrrpScripts.Where(s => tracked.Contains(s.Name)).Select(s => new NodeVrrpScript(s.Name, runAs.Fill(s.Spec)))],
            VirtualServers = [.. state.VirtualServers.Select(v => new NodeVirtualServer(v.Name, runAs.Fill(v.Spec)))],
            Notification = cluster.Notification,
            Scripts = cluster.Scripts,
            StaticAddresses = node.StaticAddresses,
            StaticRoutes = node.StaticRoutes,
            StaticRules = node.StaticRules,
            Strict = cluster.Defaults.Strict,
            SkipAddressListCheck = cluster.Defaults.VerifyAddressLists == false,
            RolloutWindow = cluster.Rollout?.Window ?? RolloutSpec.DefaultWindow,
            Pacing = new AnnouncementPacing
            {
                GarpInterval = cluster.Defaults.GarpInterval,
                GnaInterval = cluster.Defaults.GnaInterval,
                Groups = cluster.GarpGroups,
            },
        };
    }

    /// <summary>The message for a node name that the Cluster does not list.</summary>
    public static string UnknownNode(ClusterSpec cluster, string nodeName) =>
        $"node '{nodeName}' is not in the Cluster (nodes: {string.Join(", ", cluster.Nodes.Select(n => n.Name))})";

    private static NodeVrrpInstance Project(Resource<VrrpInstanceSpec> instance, NodeSpec node, ClusterSpec cluster, DesiredState state, string? syncGroup)
    {
        var spec = instance.Spec;
        var resolved = ResolvedVrrpInstance.From(spec, cluster.Defaults);
        var interfaceName = resolved.Interface ?? "";
        var member = spec.Members.First(m => m.Node == node.Name);
        var top = spec.Members.Max(m => m.Priority);

        // A listed link-local address is for telling members' IPv6 adverts apart; a unicast peer is a routable one.
        IPAddress? AddressOf(NodeSpec n) => n.Interface(interfaceName)?.Addresses
            .Select(a => a.Address)
            .OrderBy(a => a.IsIPv6LinkLocal)
            .FirstOrDefault(a => ResolvedVrrpInstance.FamilyOf(a) == resolved.Family);

        var peers = spec.Transport == VrrpTransport.Unicast
            ? spec.Members.Where(m => m.Node != node.Name)
                .Select(m => cluster.Nodes.FirstOrDefault(n => n.Name == m.Node))
                .Select(n => n is null ? null : AddressOf(n))
                .OfType<IPAddress>()
                .ToList()
            : [];

        return new NodeVrrpInstance
        {
            Name = instance.Name,
            Interface = interfaceName,
            VirtualRouterId = spec.VirtualRouterId,
            Version = resolved.Version,
            Family = resolved.Family,
            AdvertInterval = resolved.AdvertInterval,
            Priority = member.Priority,
            PreferredMaster = member.Priority == top && spec.Members.Count(m => m.Priority == top) == 1,
            Preempt = spec.Preempt,
            PreemptDelay = spec.PreemptDelay,
            // keepalived's vrrp_strict sets lower_prio_no_advert.
            AnswerLowerPriority = spec.AnswerLowerPriority && !cluster.Defaults.Strict,
            Transport = spec.Transport,
            SourceAddress = AddressOf(node),
            UnicastPeers = [.. peers.Concat(spec.Transport == VrrpTransport.Unicast ? spec.ExternalPeers : []).Distinct()],
            UnicastTtl = spec.UnicastTtl,
            Authentication = spec.Authentication,
            VirtualAddresses = spec.VirtualAddresses,
            ExcludedAddresses = spec.ExcludedAddresses,
            // A route given neither gateway nor device goes out of the instance's interface.
            VirtualRoutes = [.. spec.VirtualRoutes.Select(r => r.Dev is null && r.Via is null && r.Type == RouteType.Unicast ? r with { Dev = interfaceName } : r)],
            VirtualRules = spec.VirtualRules,
            TrackInterfaces = spec.TrackInterfaces,
            TrackScripts = [.. spec.TrackScripts.Select(t => t with
            {
                Weight = t.Weight ?? state.VrrpScripts.FirstOrDefault(s => s.Name == t.Name)?.Spec.Weight ?? 0,
            })],
            TrackFiles = spec.TrackFiles,
            TrackProcesses = spec.TrackProcesses,
            Notify = spec.Notify,
            // keepalived's vrrp_strict sends no gratuitous ARP for a lower-priority advert (garp_lower_prio_repeat 0).
            Garp = cluster.Defaults.Strict ? spec.Garp with { LowerPriorityRepeat = 0, LowerPriorityDelay = TimeSpan.Zero } : spec.Garp,
            UseVirtualMac = spec.UseVirtualMac,
            SyncGroup = syncGroup,
            // The address owner (255) always accepts: its VIPs are its own addresses.
            Accept = member.Priority == 255 || (spec.Accept ?? !cluster.Defaults.Strict),
            VerifyAddressList = cluster.Defaults.VerifyAddressLists ?? cluster.Defaults.Strict,
        };
    }
}
