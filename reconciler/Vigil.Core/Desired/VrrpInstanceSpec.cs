namespace Vigil.Core.Desired;

public enum IpFamily { IPv4, IPv6 }

public enum VrrpTransport { Multicast, Unicast }

public enum AddressScope { Global, Site, Link, Host }

/// <summary>The <c>VrrpInstance</c> kind: one virtual router, shared by its member nodes.</summary>
public sealed record VrrpInstanceSpec
{
    /// <summary>Falls back to the cluster's default interface.</summary>
    public string? Interface { get; init; }
    public int VirtualRouterId { get; init; }
    /// <summary>2 or 3; falls back to the cluster default.</summary>
    public int? Version { get; init; }
    /// <summary>Derived from the virtual addresses when not set.</summary>
    public IpFamily? Family { get; init; }
    public TimeSpan? AdvertInterval { get; init; }
    public VrrpAuthenticationSpec? Authentication { get; init; }
    public VrrpTransport Transport { get; init; } = VrrpTransport.Multicast;
    public ValueList<VrrpMemberSpec> Members { get; init; } = [];
    /// <summary>Unicast peers that are no Cluster node (a keepalived router during a migration): sent to, and expected.</summary>
    public ValueList<System.Net.IPAddress> ExternalPeers { get; init; } = [];
    /// <summary>With unicast: the TTL / hop limit adverts are sent with (keepalived's unicast_ttl); 255 when not set.</summary>
    public int? UnicastTtl { get; init; }
    public bool Preempt { get; init; } = true;
    public TimeSpan PreemptDelay { get; init; }
    /// <summary>keepalived's default: a master answers a lower-priority advert at once (false: lower_prio_no_advert).</summary>
    public bool AnswerLowerPriority { get; init; } = true;
    public ValueList<VirtualAddressSpec> VirtualAddresses { get; init; } = [];
    /// <summary>Added with the VIPs but not carried in adverts (keepalived's virtual_ipaddress_excluded).</summary>
    public ValueList<VirtualAddressSpec> ExcludedAddresses { get; init; } = [];
    /// <summary>Added after the VIPs when the instance becomes master, removed before them when it leaves (keepalived's virtual_routes).</summary>
    public ValueList<RouteSpec> VirtualRoutes { get; init; } = [];
    /// <summary>As <see cref="VirtualRoutes"/>, for policy-routing rules (keepalived's virtual_rules).</summary>
    public ValueList<RuleSpec> VirtualRules { get; init; } = [];
    public ValueList<TrackInterfaceSpec> TrackInterfaces { get; init; } = [];
    public ValueList<TrackScriptSpec> TrackScripts { get; init; } = [];
    public ValueList<TrackFileSpec> TrackFiles { get; init; } = [];
    public ValueList<TrackProcessSpec> TrackProcesses { get; init; } = [];
    public NotifySpec? Notify { get; init; }
    public GarpSpec Garp { get; init; } = new();
    public bool UseVirtualMac { get; init; }
    /// <summary>
    /// RFC 5798's Accept_Mode (keepalived's accept / no_accept): false drops traffic to the VIPs on the master (nftables),
    /// which then only route. Not set: true, as keepalived, or under strict only for the address owner (priority 255).
    /// </summary>
    public bool? Accept { get; init; }
}

public enum VrrpAuthenticationType { Pass }

public sealed record VrrpAuthenticationSpec
{
    public VrrpAuthenticationType Type { get; init; } = VrrpAuthenticationType.Pass;
    /// <summary>At most 8 bytes (RFC 2338 section 5.3.6). Sent in clear on the wire, but never printed in a plan or log.</summary>
    [Vigil.Core.Secrets.Secret]
    public string Password { get; init; } = "";
}

public sealed record VrrpMemberSpec
{
    public string Node { get; init; } = "";
    public int Priority { get; init; }
}

public sealed record VirtualAddressSpec
{
    public IpPrefix Address { get; init; }
    /// <summary>Device to add the address to; the instance's interface when not set.</summary>
    public string? Dev { get; init; }
    public AddressScope? Scope { get; init; }
    public string? Label { get; init; }
}

public sealed record TrackInterfaceSpec
{
    public string Name { get; init; } = "";
    /// <summary>0: the instance goes to Fault while the link is down. Positive: added while up; negative: added while down (keepalived).</summary>
    public int Weight { get; init; }
}

public sealed record TrackScriptSpec
{
    /// <summary>The <c>metadata.name</c> of a <c>VrrpScript</c>.</summary>
    public string Name { get; init; } = "";
    /// <summary>Overrides the script's own weight for this instance.</summary>
    public int? Weight { get; init; }
}

/// <summary>keepalived's track_file: a number in a file, times the weight, moves the priority; re-read when the file changes.</summary>
public sealed record TrackFileSpec
{
    public string File { get; init; } = "";
    /// <summary>0: a non-zero number (zero, reversed) puts the instance in Fault.</summary>
    public int Weight { get; init; } = 1;
    public bool Reverse { get; init; }
}

/// <summary>How a tracked process's arguments are compared (keepalived's param_match).</summary>
public enum ArgumentMatch
{
    /// <summary>The arguments are exactly these (none, when none are given).</summary>
    Exact,
    /// <summary>The first arguments are these; more may follow.</summary>
    Partial,
    /// <summary>As partial, and the last one given may be the start of the process's.</summary>
    Initial,
}

/// <summary>
/// keepalived's vrrp_track_process: how many running processes match, against a quorum, moves the priority or puts
/// the instance in Fault. Processes are seen as they start and end (the kernel's process events), not polled.
/// </summary>
public sealed record TrackProcessSpec
{
    /// <summary>The kernel's process name (/proc/PID/comm, 15 characters at most), or with arguments or fullCommand the command's first word.</summary>
    public string Process { get; init; } = "";
    /// <summary>Compared with the command line's other words as <see cref="ArgumentMatch"/> says.</summary>
    public ValueList<string> Arguments { get; init; } = [];
    /// <summary>Not set: exact when arguments are given, otherwise the arguments are not compared.</summary>
    public ArgumentMatch? ArgumentMatch { get; init; }
    /// <summary>Match the command line's first word instead of the process name (implied by arguments).</summary>
    public bool FullCommand { get; init; }
    /// <summary>At least this many must run (0 only with <see cref="QuorumMax"/> 0: the process must not run).</summary>
    public int Quorum { get; init; } = 1;
    /// <summary>At most this many; not set: no limit.</summary>
    public int? QuorumMax { get; init; }
    /// <summary>A quorum gained by a fork counts after this long (a fork followed by exec is not a bounce).</summary>
    public TimeSpan ForkDelay { get; init; }
    /// <summary>A quorum lost by an exit counts after this long (a restart is not a failure).</summary>
    public TimeSpan TerminateDelay { get; init; }
    /// <summary>0: Fault while the quorum is lost. Positive: added while it holds; negative: added while it is lost.</summary>
    public int Weight { get; init; }
    /// <summary>The other way round: a quorum is the failure (with weight 0), or the weight counts while it is lost.</summary>
    public bool Reverse { get; init; }

    /// <summary>The arguments are compared: given, or a match mode set (exact with none: the process has no arguments).</summary>
    public ArgumentMatch? EffectiveArgumentMatch => ArgumentMatch ?? (Arguments.Count > 0 ? Desired.ArgumentMatch.Exact : null);

    /// <summary>The command line is read (keepalived: arguments or a match mode imply full_command).</summary>
    public bool MatchesCommandLine => FullCommand || EffectiveArgumentMatch is not null;
}

/// <summary>Hooks run on transitions, with keepalived's arguments.</summary>
public sealed record NotifySpec
{
    public string? OnMaster { get; init; }
    public string? OnBackup { get; init; }
    public string? OnFault { get; init; }
    public string? OnStop { get; init; }
    /// <summary>keepalived's <c>notify</c>: run on every transition with TYPE NAME STATE PRIORITY.</summary>
    public string? Any { get; init; }
    public bool Email { get; init; }
    /// <summary>Hooks run as this user and group (runuser); the agent's own when not set.</summary>
    public string? User { get; init; }
    public string? Group { get; init; }
}

/// <summary>Gratuitous ARP / unsolicited NA on becoming master; defaults as keepalived's.</summary>
public sealed record GarpSpec
{
    /// <summary>Delay of the second burst after becoming master (garp_master_delay).</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Messages in each burst (garp_master_repeat).</summary>
    public int Repeat { get; init; } = 5;
    /// <summary>Period of refreshes while master; 0 disables (garp_master_refresh).</summary>
    public TimeSpan Refresh { get; init; }
    public int RefreshRepeat { get; init; } = 1;
    /// <summary>
    /// Messages when, as master, a lower-priority advert is heard (garp_lower_prio_repeat; 0 = off): the other router
    /// announced the VIPs as its own, so clients follow it until this master announces them again.
    /// </summary>
    public int LowerPriorityRepeat { get; init; } = 5;
    /// <summary>
    /// And again this long after the last lower-priority advert heard (garp_lower_prio_delay, whose 5 s default is too
    /// late for clients the lower router's takeover burst pointed at it a moment after ours); 0 = no second burst.
    /// </summary>
    public TimeSpan LowerPriorityDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>The <c>SyncGroup</c> kind: instances that change state together.</summary>
public sealed record SyncGroupSpec
{
    public ValueList<string> Instances { get; init; } = [];
    public NotifySpec? Notify { get; init; }
}

/// <summary>The <c>VrrpScript</c> kind: a check whose result moves the priority of the instances tracking it.</summary>
public sealed record VrrpScriptSpec
{
    public string Script { get; init; } = "";
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The interval when not set, as keepalived.</summary>
    public TimeSpan? Timeout { get; init; }
    public int Weight { get; init; }
    public int Fall { get; init; } = 1;
    public int Rise { get; init; } = 1;
    public string? User { get; init; }
    public string? Group { get; init; }
}
