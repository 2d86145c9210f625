using System.Net;

namespace Vigil.Core.Desired;

public enum IpvsProtocol { Tcp, Udp, Sctp }

public enum IpvsScheduler { Rr, Wrr, Lc, Wlc, Lblc, Lblcr, Dh, Sh, Sed, Nq, Fo, Ovf, Mh }

public enum IpvsForwarding { Dr, Nat, Tun }

/// <summary>The sh and mh schedulers' flags: keepalived's sh-fallback/mh-fallback and sh-port/mh-port.</summary>
public enum SchedulerFlag { Fallback, Port }

/// <summary>The <c>VirtualServer</c> kind: an IPVS service and its real servers.</summary>
public sealed record VirtualServerSpec
{
    /// <summary>Either <see cref="Address"/> and <see cref="Port"/>, or <see cref="Fwmark"/>, or <see cref="Group"/>.</summary>
    public IPAddress? Address { get; init; }
    public int? Port { get; init; }
    public uint? Fwmark { get; init; }
    /// <summary>Needed only with a fwmark; otherwise that of the address.</summary>
    public IpFamily? Family { get; init; }
    public IpvsProtocol Protocol { get; init; } = IpvsProtocol.Tcp;
    public IpvsScheduler Scheduler { get; init; } = IpvsScheduler.Wlc;
    /// <summary>Only for sh and mh: fallback to another server when the chosen one has weight 0; hash the port too.</summary>
    public ValueList<SchedulerFlag> SchedulerFlags { get; init; } = [];
    /// <summary>keepalived's ops: schedule every UDP datagram on its own.</summary>
    public bool OnePacket { get; init; }
    /// <summary>keepalived's default lb_kind is NAT.</summary>
    public IpvsForwarding Forwarding { get; init; } = IpvsForwarding.Nat;
    public PersistenceSpec? Persistence { get; init; }
    public TimeSpan DelayLoop { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Minimum total weight of healthy real servers; below it the sorry server takes over.</summary>
    public int Quorum { get; init; } = 1;
    public int Hysteresis { get; init; }
    public SorryServerSpec? SorryServer { get; init; }
    /// <summary>keepalived's alpha: a checked real server starts down and joins the pool after its first success.</summary>
    public bool Alpha { get; init; }
    /// <summary>keepalived's omega: at the agent's stop, the real-server down and quorum-down notifications run.</summary>
    public bool Omega { get; init; }
    public VirtualServerNotifySpec? Notify { get; init; }
    public ValueList<RealServerSpec> RealServers { get; init; } = [];
    /// <summary>keepalived's virtual_server_group: several addresses, ranges and marks sharing this pool and its checks.</summary>
    public VirtualServerGroupSpec? Group { get; init; }

    public IpFamily EffectiveFamily => Address is not null ? (Address.IsV6() ? IpFamily.IPv6 : IpFamily.IPv4)
        : Group?.Members.FirstOrDefault(m => m.Address is not null)?.Address is { } first ? (first.IsV6() ? IpFamily.IPv6 : IpFamily.IPv4)
        : Family ?? IpFamily.IPv4;

    /// <summary>The port a real server without one takes: the service's, or the group's when all its addresses share one.</summary>
    public int? DefaultPort => Port ?? Group?.SinglePort;

    /// <summary>How operators name a virtual server: 198.51.100.100:80/TCP, fwmark 1 or group web.</summary>
    public string Endpoint => Group is { } group ? $"group {group.Name}"
        : Fwmark is { } mark ? $"fwmark {mark}" : $"{Endpoints.Format(Address!, Port)}/{Protocol.ToString().ToUpperInvariant()}";
}

/// <summary>keepalived's virtual_server_group: the services one pool of real servers (and one set of checks) stands behind.</summary>
public sealed record VirtualServerGroupSpec
{
    public string Name { get; init; } = "";
    public ValueList<GroupMemberSpec> Members { get; init; } = [];

    /// <summary>The one port every address member has, if they agree.</summary>
    public int? SinglePort => Members.Where(m => m.Address is not null).Select(m => m.Port).Distinct().ToList() is [{ } port] ? port : null;
}

/// <summary>One line of a virtual_server_group: an address or a range of them (with a port), or a fwmark.</summary>
public sealed record GroupMemberSpec
{
    public IPAddress? Address { get; init; }
    /// <summary>A range from <see cref="Address"/> to this one, both included (keepalived's 198.51.100.1-10).</summary>
    public IPAddress? LastAddress { get; init; }
    public int? Port { get; init; }
    public uint? Fwmark { get; init; }
    /// <summary>A fwmark member's family; the group's when not set.</summary>
    public IpFamily? Family { get; init; }

    /// <summary>More than this many addresses in one range is refused: keepalived would make one IPVS service each.</summary>
    public const int MaxRange = 1024;

    /// <summary>The addresses from <see cref="Address"/> to <see cref="LastAddress"/>; empty when the range is reversed, of two families, or longer than <see cref="MaxRange"/>.</summary>
    public IReadOnlyList<IPAddress> Addresses()
    {
        if (Address is null) return [];
        if (LastAddress is null) return [Address];
        var range = new AddressRange(Address, LastAddress);
        return range.Count is var count && count >= 1 && count <= MaxRange ? [.. range.Addresses()] : [];
    }
}

public sealed record PersistenceSpec
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(360);
    /// <summary>Granularity of persistence: a netmask for IPv4 (255.255.255.0), a prefix length for IPv6.</summary>
    public string? Netmask { get; init; }

    /// <summary>
    /// <see cref="Netmask"/> as a prefix length (32 or 128 when not set); null when it is not a contiguous IPv4
    /// netmask, or not an IPv6 prefix length 1-128.
    /// </summary>
    public int? PrefixLength(IpFamily family)
    {
        if (Netmask is null)
        {
            return family == IpFamily.IPv6 ? 128 : 32;
        }
        if (family == IpFamily.IPv6)
        {
            return int.TryParse(Netmask, out var length) && length is >= 1 and <= 128 ? length : null;
        }
        if (!IpAddressText.TryParse(Netmask, out var mask) || mask.IsV6())
        {
            return null;
        }
        var inverted = ~System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mask.GetAddressBytes());
        return (inverted & (inverted + 1)) == 0 ? 32 - System.Numerics.BitOperations.PopCount(inverted) : null;
    }
}

public sealed record SorryServerSpec
{
    public IPAddress Address { get; init; } = IPAddress.None;
    public int? Port { get; init; }
}

public sealed record RealServerSpec
{
    public IPAddress Address { get; init; } = IPAddress.None;
    /// <summary>The virtual server's port when not set.</summary>
    public int? Port { get; init; }
    public int Weight { get; init; } = 1;
    /// <summary>On failure set weight 0 instead of removing the server, so established connections drain.</summary>
    public bool InhibitOnFailure { get; init; }
    /// <summary>keepalived's uthreshold: no new connections above this many (0: no limit).</summary>
    public int UpperThreshold { get; init; }
    /// <summary>keepalived's lthreshold: new connections again below this many.</summary>
    public int LowerThreshold { get; init; }
    public HealthCheckSpec? HealthCheck { get; init; }
    /// <summary>Several checks (keepalived's several checkers in one real_server): the server is up only while every one passes.</summary>
    public ValueList<HealthCheckSpec> HealthChecks { get; init; } = [];
    public RealServerNotifySpec? Notify { get; init; }

    /// <summary><see cref="HealthCheck"/> and <see cref="HealthChecks"/> (validation allows one of the two).</summary>
    public IReadOnlyList<HealthCheckSpec> Checks => HealthCheck is { } one ? [one, .. HealthChecks] : HealthChecks;
}

/// <summary>keepalived's quorum_up / quorum_down and smtp_alert for a virtual server; hooks run as <see cref="User"/>.</summary>
public sealed record VirtualServerNotifySpec
{
    public string? OnQuorumUp { get; init; }
    public string? OnQuorumDown { get; init; }
    /// <summary>Email on real servers going up or down and on quorum changes.</summary>
    public bool Email { get; init; }
    public string? User { get; init; }
    public string? Group { get; init; }
}

/// <summary>keepalived's notify_up / notify_down: run with no arguments, as the virtual server's notify user.</summary>
public sealed record RealServerNotifySpec
{
    public string? OnUp { get; init; }
    public string? OnDown { get; init; }
}

/// <summary>Exactly one probe (tcp, httpGet, sslGet, misc, dns, smtp) and the knobs common to all.</summary>
public sealed record HealthCheckSpec
{
    public TcpCheckSpec? Tcp { get; init; }
    public HttpCheckSpec? HttpGet { get; init; }
    public SslCheckSpec? SslGet { get; init; }
    public MiscCheckSpec? Misc { get; init; }
    public DnsCheckSpec? Dns { get; init; }
    public SmtpCheckSpec? Smtp { get; init; }
    public UdpCheckSpec? Udp { get; init; }
    public PingCheckSpec? Ping { get; init; }
    public FileCheckSpec? File { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int Retry { get; init; } = 1;
    public TimeSpan DelayBeforeRetry { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>keepalived's checker delay_loop: this check's own period; the virtual server's delayLoop when not set.</summary>
    public TimeSpan? DelayLoop { get; init; }
    /// <summary>keepalived's connect_ip: where the check goes instead of the real server's address.</summary>
    public System.Net.IPAddress? ConnectIp { get; init; }
    /// <summary>keepalived's bindto: the source address of the check's connections and packets.</summary>
    public System.Net.IPAddress? BindAddress { get; init; }
    /// <summary>keepalived's bind_port: the source port.</summary>
    public int? BindPort { get; init; }
    /// <summary>keepalived's bind_if: the interface the check's packets leave by (an IPv6 link-local address needs one).</summary>
    public string? BindInterface { get; init; }
    /// <summary>keepalived's warmup: the first run comes at a random moment within it (0: at once); the period when not set.</summary>
    public TimeSpan? Warmup { get; init; }

    public static readonly IReadOnlyList<string> ProbeNames = ["tcp", "httpGet", "sslGet", "misc", "dns", "smtp", "udp", "ping", "file"];

    // Methods, not properties: the rendered desired state lists a spec's properties, and these are derived.
    /// <summary>The port the probe itself names, if any (keepalived's connect_port).</summary>
    public int? OwnPort() => Tcp?.Port ?? HttpGet?.Port ?? SslGet?.Port ?? Dns?.Port ?? Smtp?.Port ?? Udp?.Port;

    /// <summary>A probe that goes to a port and has none of its own (a DNS or SMTP check falls back to 53 or 25; ping and file use none).</summary>
    public bool NeedsServerPort() => (Tcp ?? HttpGet ?? SslGet ?? (object?)Udp) is not null && OwnPort() is null;

    /// <summary>A source is given (bindAddress, bindPort or bindInterface): keepalived's connection options, which misc and file checks lack.</summary>
    public bool BindsSource() => BindAddress is not null || BindPort is not null || BindInterface is not null;

    public IEnumerable<string> ConfiguredProbes()
    {
        if (Tcp is not null) yield return "tcp";
        if (HttpGet is not null) yield return "httpGet";
        if (SslGet is not null) yield return "sslGet";
        if (Misc is not null) yield return "misc";
        if (Dns is not null) yield return "dns";
        if (Smtp is not null) yield return "smtp";
        if (Udp is not null) yield return "udp";
        if (Ping is not null) yield return "ping";
        if (File is not null) yield return "file";
    }
}

public sealed record TcpCheckSpec
{
    public int? Port { get; init; }
}

public record HttpCheckSpec
{
    public string Path { get; init; } = "/";
    public int StatusCode { get; init; } = 200;
    /// <summary>keepalived's status_code list ("200-299 301"); replaces <see cref="StatusCode"/> when set.</summary>
    public string? StatusCodes { get; init; }
    /// <summary>MD5 of the body, as keepalived's genhash prints it.</summary>
    public string? Digest { get; init; }
    public string? VirtualHost { get; init; }
    public int? Port { get; init; }
    /// <summary>sslGet only: check the server certificate.</summary>
    public bool VerifyCertificate { get; init; }
    /// <summary>keepalived's several url blocks: every one must pass. When set, the path, codes and digest above are not used.</summary>
    public ValueList<HttpUrlSpec> Urls { get; init; } = [];
    /// <summary>keepalived's http_protocol: 1.0 (the default, as keepalived's), 1.0C (1.0 with Connection: close) or 1.1.</summary>
    public string? HttpProtocol { get; init; }

    /// <summary>What is fetched: <see cref="Urls"/>, or the one url the fields above describe.</summary>
    public IReadOnlyList<HttpUrlSpec> EffectiveUrls => Urls.Count > 0 ? Urls
        : [new HttpUrlSpec { Path = Path, StatusCodes = StatusCodes ?? StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), Digest = Digest }];
}

/// <summary>An sslGet check: an HTTP check over TLS, with what only TLS has.</summary>
public sealed record SslCheckSpec : HttpCheckSpec
{
    /// <summary>Send the virtual host as the TLS server name (keepalived's enable_sni); otherwise none is sent, as keepalived.</summary>
    public bool EnableSni { get; init; }
    /// <summary>The client certificate for a server that asks for one (keepalived's SSL block).</summary>
    public ClientCertificateSpec? ClientCertificate { get; init; }
}

/// <summary>PEM files on the node; the key's password, if any, from a file or the environment (never in git).</summary>
public sealed record ClientCertificateSpec
{
    public string Certificate { get; init; } = "";
    public string Key { get; init; } = "";
    public SecretReference? Password { get; init; }
}

/// <summary>One url of an HTTP or SSL check (keepalived's url block).</summary>
public sealed record HttpUrlSpec
{
    public string Path { get; init; } = "/";
    /// <summary>Codes and ranges as keepalived's status_code ("200-299 301"); any 2xx when not set, as keepalived.</summary>
    public string? StatusCodes { get; init; }
    public string? Digest { get; init; }
    /// <summary>This url's Host header (and TLS name); the check's virtualHost when not set.</summary>
    public string? VirtualHost { get; init; }
    /// <summary>keepalived's regex: the body must match it (or must not, with <see cref="RegexNoMatch"/>).</summary>
    public string? Regex { get; init; }
    public bool RegexNoMatch { get; init; }

    public HttpStatusCodes Accepted => StatusCodes is { } text && HttpStatusCodes.TryParse(text, out var codes, out _) ? codes : HttpStatusCodes.AnySuccess;
}

public sealed record MiscCheckSpec
{
    public string Script { get; init; } = "";
    public TimeSpan? Timeout { get; init; }
    /// <summary>keepalived's misc_dynamic: exit code 2-255 sets the weight to code - 2.</summary>
    public bool DynamicWeight { get; init; }
    public string? User { get; init; }
}

public sealed record DnsCheckSpec
{
    public string Name { get; init; } = "";
    public string Type { get; init; } = "SOA";
    public int? Port { get; init; }
}

/// <summary>
/// keepalived's UDP_CHECK: a datagram to the server; down on an ICMP error (port or host unreachable), and, with
/// <see cref="RequireReply"/>, without a reply of the right length (and bytes) within the timeout.
/// </summary>
public sealed record UdpCheckSpec
{
    public int? Port { get; init; }
    /// <summary>What is sent, in keepalived's hex form ("Ab12f 3"); random bytes when not set.</summary>
    public string? Payload { get; init; }
    public bool RequireReply { get; init; }
    /// <summary>What the reply must start with, hex with x for a nibble not checked; implies <see cref="RequireReply"/>.</summary>
    public string? Reply { get; init; }
    public int MinReplyLength { get; init; }
    public int MaxReplyLength { get; init; } = 255;

    public bool NeedsReply => RequireReply || Reply is not null;
}

/// <summary>
/// keepalived's FILE_CHECK (a track_file read for a real server): the number in the file (0 when missing or not a
/// number) times <see cref="Weight"/>, negated under <see cref="Reverse"/>, is added to the server's weight; with weight
/// 0 the file says up (0) or down (anything else, or 0 under reverse).
/// </summary>
public sealed record FileCheckSpec
{
    public string Path { get; init; } = "";
    public int Weight { get; init; } = 1;
    public bool Reverse { get; init; }
}

/// <summary>keepalived's PING_CHECK: an ICMP echo answered within the timeout.</summary>
public sealed record PingCheckSpec;

public sealed record SmtpCheckSpec
{
    public string? Helo { get; init; }
    public int? Port { get; init; }
}

public static class Endpoints
{
    public static string Format(IPAddress address, int? port) =>
        port is null ? address.ToString() : address.IsV6() ? $"[{address}]:{port}" : $"{address}:{port}";
}
