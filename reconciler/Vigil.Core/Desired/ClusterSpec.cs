using System.Net;

namespace Vigil.Core.Desired;

/// <summary>The <c>Cluster</c> kind: the nodes, defaults for every instance and global settings.</summary>
public sealed record ClusterSpec
{
    public ValueList<NodeSpec> Nodes { get; init; } = [];
    public ClusterDefaults Defaults { get; init; } = new();
    public NotificationSpec? Notification { get; init; }
    /// <summary>Who runs the scripts that name no user (keepalived's script_user); see <see cref="Security.ScriptRunAs"/>.</summary>
    public ScriptsSpec? Scripts { get; init; }
    /// <summary>keepalived's garp_group: interfaces whose gratuitous ARPs / NAs are paced together (one switch behind them).</summary>
    public ValueList<GarpGroupSpec> GarpGroups { get; init; } = [];
    /// <summary>Whether one unit's invalid documents hold back only that unit (see Vigil.Source's UnitIsolation).</summary>
    public FaultIsolation FaultIsolation { get; init; } = FaultIsolation.None;
    /// <summary>Each agent serves its status to the cluster's other agents, authenticated; off when absent.</summary>
    public PeerStatusSpec? PeerStatus { get; init; }
    /// <summary>How a change rolls through a VRRP group.</summary>
    public RolloutSpec? Rollout { get; init; }
}

/// <summary>
/// A rollout: the nodes of a group apply a revision one after another, so for a while a peer runs the revision before
/// (or after). For <see cref="Window"/> after an instance changed, it also takes adverts as its other revision has
/// them (another version, authentication, VRID, interval or address list), and counts them; then only its own.
/// With <see cref="WaitForPeers"/>, each node applies in its turn (see <see cref="Planning.RolloutGate"/>).
/// </summary>
public sealed record RolloutSpec
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(5);

    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>
    /// A node applies a revision that changes a VRRP group only when the members before it (the rollout order, from
    /// their real roles) report it applied and their instances ready, asked over peer status.
    /// </summary>
    public bool WaitForPeers { get; init; }

    /// <summary>How long a node waits for its turn before <see cref="OnTimeout"/>.</summary>
    public TimeSpan WaitTimeout { get; init; } = DefaultWaitTimeout;

    public RolloutTimeout OnTimeout { get; init; } = RolloutTimeout.Proceed;
}

/// <summary>What a node does when its turn has not come within the wait timeout.</summary>
public enum RolloutTimeout
{
    /// <summary>Applies anyway, saying whom it did not wait for (a dead peer must not freeze the survivors' changes).</summary>
    Proceed,

    /// <summary>Keeps running the revision before, status Stalled, until the peers catch up or another commit comes.</summary>
    Stall,
}

/// <summary>
/// Peer status: every agent serves its status read-only on its node's address (the first address of its first
/// interface) and this port, to requests signed with the cluster's shared key (HMAC-SHA256), which lives on each node
/// (a file, or an environment variable of the agent) and never in git.
/// </summary>
public sealed record PeerStatusSpec
{
    public int Port { get; init; }
    public string? KeyFile { get; init; }
    public string? KeyEnvironment { get; init; }

    /// <summary>Where a node serves: its first interface's first address.</summary>
    public static IPAddress? AddressOf(NodeSpec node) =>
        node.Interfaces.FirstOrDefault(i => i.Addresses.Count > 0)?.Addresses[0].Address;
}

/// <summary>What a node does with a commit of which only some folders are invalid.</summary>
public enum FaultIsolation
{
    /// <summary>The whole commit is refused (the default): the node keeps running its last good revision.</summary>
    None,

    /// <summary>
    /// Each top-level folder (and the files at the root, together) is a unit: a unit whose documents are invalid keeps
    /// its last good version while the others advance, unless something valid depends on it.
    /// </summary>
    TopLevelFolders,
}

public sealed record ScriptsSpec
{
    public string? User { get; init; }
    public string? Group { get; init; }
}

public sealed record NodeSpec
{
    public string Name { get; init; } = "";
    /// <summary>keepalived's router_id; the node name when not set.</summary>
    public string? RouterId { get; init; }
    public ValueList<NodeInterfaceSpec> Interfaces { get; init; } = [];
    /// <summary>keepalived's static_ipaddress: kept on the node while the agent runs.</summary>
    public ValueList<VirtualAddressSpec> StaticAddresses { get; init; } = [];
    public ValueList<RouteSpec> StaticRoutes { get; init; } = [];
    public ValueList<RuleSpec> StaticRules { get; init; } = [];
    /// <summary>What runs VRRP there: keepalived on a node not migrated yet (its configuration from `vigil render`).</summary>
    public NodeDaemon Daemon { get; init; } = NodeDaemon.Vigil;

    public string EffectiveRouterId => RouterId ?? Name;

    public NodeInterfaceSpec? Interface(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}

/// <summary>What runs VRRP on a node: a group moves from keepalived to Vigil one node at a time.</summary>
public enum NodeDaemon
{
    Vigil,

    /// <summary>keepalived: no agent to ask for its status; a rollout's step there is a reload by hand.</summary>
    Keepalived,
}

public sealed record NodeInterfaceSpec
{
    public string Name { get; init; } = "";
    public ValueList<IpPrefix> Addresses { get; init; } = [];
}

public sealed record ClusterDefaults
{
    /// <summary>2 by default, as keepalived, so a Vigil node joins an existing keepalived group unchanged.</summary>
    public int VrrpVersion { get; init; } = 2;
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);
    public string? Interface { get; init; }
    /// <summary>
    /// keepalived's vrrp_strict: RFC 5798 as written (validation refuses what it forbids), a master does not answer
    /// lower-priority adverts, and accept mode is off except for the address owner unless an instance says otherwise.
    /// </summary>
    public bool Strict { get; init; }
    /// <summary>
    /// Whether an advert whose address list differs from the instance's is dropped (RFC 3768 and RFC 5798 section 7.1:
    /// verifying is a MAY; a router that verifies MUST drop, unless the address owner sent it). Unset: as <see cref="Strict"/>.
    /// keepalived verifies unless vrrp_skip_check_adv_addr.
    /// </summary>
    public bool? VerifyAddressLists { get; init; }
    /// <summary>The least time between two gratuitous ARPs on an interface in no garp group (keepalived's vrrp_garp_interval); 0: none.</summary>
    public TimeSpan GarpInterval { get; init; }
    /// <summary>As <see cref="GarpInterval"/>, for unsolicited neighbour advertisements (vrrp_gna_interval).</summary>
    public TimeSpan GnaInterval { get; init; }
}

/// <summary>
/// Interfaces whose announcements share one pace: at most one gratuitous ARP per <see cref="GarpInterval"/> and one
/// unsolicited NA per <see cref="GnaInterval"/> across all of them (0: unpaced), for a switch that drops a burst.
/// </summary>
public sealed record GarpGroupSpec
{
    public ValueList<string> Interfaces { get; init; } = [];
    public TimeSpan GarpInterval { get; init; }
    public TimeSpan GnaInterval { get; init; }
}

public sealed record NotificationSpec
{
    public EmailSpec? Email { get; init; }
    public WebhookSpec? Webhook { get; init; }
    /// <summary>keepalived's notify_fifo: every VRRP and IPVS line.</summary>
    public NotifyFifoSpec? Fifo { get; init; }
    /// <summary>keepalived's vrrp_notify_fifo: INSTANCE and GROUP lines.</summary>
    public NotifyFifoSpec? VrrpFifo { get; init; }
    /// <summary>keepalived's lvs_notify_fifo: VS and RS lines.</summary>
    public NotifyFifoSpec? LvsFifo { get; init; }

    /// <summary>The FIFOs set, with the field each is at.</summary>
    public IEnumerable<(string Field, NotifyFifoSpec Fifo)> Fifos() =>
        new[] { ("fifo", Fifo), ("vrrpFifo", VrrpFifo), ("lvsFifo", LvsFifo) }.Where(f => f.Item2 is not null).Select(f => (f.Item1, f.Item2!));
}

/// <summary>A named pipe for keepalived's notify lines, made when missing, with an optional reader the agent runs.</summary>
public sealed record NotifyFifoSpec
{
    public string Path { get; init; } = "";
    /// <summary>Started with the FIFO's path appended; stopped with SIGTERM when the FIFO goes.</summary>
    public string? Script { get; init; }
    /// <summary>Owner of a FIFO the agent makes, and the script's user and group.</summary>
    public string? User { get; init; }
    public string? Group { get; init; }
}

/// <summary>Each transition POSTed as JSON to a URL.</summary>
public sealed record WebhookSpec
{
    /// <summary>May carry a token (in its userinfo or query): printed without them.</summary>
    [Vigil.Core.Secrets.CredentialUrl]
    public string Url { get; init; } = "";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed record EmailSpec
{
    /// <summary>host or host:port.</summary>
    public string SmtpServer { get; init; } = "";
    public string From { get; init; } = "";
    public ValueList<string> To { get; init; } = [];
    public string? Username { get; init; }
    public SecretReference? Password { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where a secret is read at run time: a file or an environment variable, never a literal in git.</summary>
public sealed record SecretReference
{
    public string? File { get; init; }
    public string? Env { get; init; }

    public override string ToString() => File is not null ? $"file:{File}" : $"env:{Env}";
}

public static class AddressFamilies
{
    public static bool IsV6(this IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
}
