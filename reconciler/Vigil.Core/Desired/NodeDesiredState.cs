using System.Net;

namespace Vigil.Core.Desired;

/// <summary>The effective desired state of one node: what its agent runs, with defaults resolved and peers derived.</summary>
public sealed record NodeDesiredState
{
    public string Node { get; init; } = "";
    public string RouterId { get; init; } = "";
    /// <summary>keepalived on a node not migrated yet: peers do not ask it, a rollout's step there is by hand.</summary>
    public NodeDaemon Daemon { get; init; } = NodeDaemon.Vigil;
    public ValueList<NodeVrrpInstance> VrrpInstances { get; init; } = [];
    public ValueList<NodeSyncGroup> SyncGroups { get; init; } = [];
    /// <summary>Only the scripts this node's instances track.</summary>
    public ValueList<NodeVrrpScript> VrrpScripts { get; init; } = [];
    public ValueList<NodeVirtualServer> VirtualServers { get; init; } = [];
    public NotificationSpec? Notification { get; init; }
    public ScriptsSpec? Scripts { get; init; }
    /// <summary>Kept on the kernel whatever the instances' states (keepalived's static_routes, static_rules).</summary>
    public ValueList<VirtualAddressSpec> StaticAddresses { get; init; } = [];
    public ValueList<RouteSpec> StaticRoutes { get; init; } = [];
    public ValueList<RuleSpec> StaticRules { get; init; } = [];
    /// <summary>The Cluster's defaults.strict (keepalived's vrrp_strict), already applied to the instances; kept for rendering.</summary>
    public bool Strict { get; init; }
    /// <summary>The Cluster's defaults.verifyAddressLists set false (keepalived's vrrp_skip_check_adv_addr); kept for rendering.</summary>
    public bool SkipAddressListCheck { get; init; }
    /// <summary>How announcements are paced on this node's interfaces.</summary>
    public AnnouncementPacing Pacing { get; init; } = new();
    /// <summary>How long an instance changed by a revision also takes adverts of its other revision (the Cluster's rollout.window).</summary>
    public TimeSpan RolloutWindow { get; init; } = RolloutSpec.DefaultWindow;
}

/// <summary>The Cluster's garp groups and default intervals: the pace of the announcements on each interface.</summary>
public sealed record AnnouncementPacing
{
    public TimeSpan GarpInterval { get; init; }
    public TimeSpan GnaInterval { get; init; }
    public ValueList<GarpGroupSpec> Groups { get; init; } = [];

    /// <summary>
    /// The group an interface's announcements are paced in (its own, named after it, when it is in none) and its
    /// intervals; both zero when nothing paces them.
    /// </summary>
    public (string Group, TimeSpan Garp, TimeSpan Gna) For(string interfaceName) =>
        Groups.FirstOrDefault(g => g.Interfaces.Contains(interfaceName)) is { } group
            ? (string.Join(' ', group.Interfaces), group.GarpInterval, group.GnaInterval)
            : (interfaceName, GarpInterval, GnaInterval);
}

public sealed record NodeVrrpInstance
{
    public string Name { get; init; } = "";
    public string Interface { get; init; } = "";
    public int VirtualRouterId { get; init; }
    public int Version { get; init; }
    public IpFamily Family { get; init; }
    public TimeSpan AdvertInterval { get; init; }
    public int Priority { get; init; }
    /// <summary>True for the member with the highest configured priority: the node expected to be master.</summary>
    public bool PreferredMaster { get; init; }
    public bool Preempt { get; init; }
    public TimeSpan PreemptDelay { get; init; }
    public bool AnswerLowerPriority { get; init; } = true;
    public VrrpTransport Transport { get; init; }
    /// <summary>This node's first address of the instance's family on the interface (unicast source, tie-break address).</summary>
    public IPAddress? SourceAddress { get; init; }
    /// <summary>Derived from the other members' addresses on the same interface; empty for multicast.</summary>
    public ValueList<IPAddress> UnicastPeers { get; init; } = [];
    /// <summary>The TTL / hop limit of unicast adverts; as set only when the spec sets it (rendered then, 255 otherwise).</summary>
    public int? UnicastTtl { get; init; }
    public VrrpAuthenticationSpec? Authentication { get; init; }
    public ValueList<VirtualAddressSpec> VirtualAddresses { get; init; } = [];
    public ValueList<VirtualAddressSpec> ExcludedAddresses { get; init; } = [];
    public ValueList<RouteSpec> VirtualRoutes { get; init; } = [];
    public ValueList<RuleSpec> VirtualRules { get; init; } = [];
    public ValueList<TrackInterfaceSpec> TrackInterfaces { get; init; } = [];
    /// <summary>Tracked scripts with the weight in force (the override, else the script's own).</summary>
    public ValueList<TrackScriptSpec> TrackScripts { get; init; } = [];
    public ValueList<TrackFileSpec> TrackFiles { get; init; } = [];
    public ValueList<TrackProcessSpec> TrackProcesses { get; init; } = [];
    public NotifySpec? Notify { get; init; }
    public GarpSpec Garp { get; init; } = new();
    public bool UseVirtualMac { get; init; }
    public string? SyncGroup { get; init; }
    /// <summary>Accept mode in force: false has the VIPs' traffic dropped while this node is master (unless it owns them).</summary>
    public bool Accept { get; init; } = true;
    /// <summary>
    /// The Cluster's defaults.verifyAddressLists (else defaults.strict): an advert whose address list differs is dropped,
    /// unless the address owner sent it (RFC 3768 and RFC 5798 section 7.1); otherwise it is acted on and reported.
    /// </summary>
    public bool VerifyAddressList { get; init; }
}

public sealed record NodeSyncGroup(string Name, ValueList<string> Instances, NotifySpec? Notify);

public sealed record NodeVrrpScript(string Name, VrrpScriptSpec Spec);

public sealed record NodeVirtualServer(string Name, VirtualServerSpec Spec);
