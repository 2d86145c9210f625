using System.Net;
using Vigil.Core.Desired;

namespace Vigil.Core.Observed;

/// <summary>
/// What the kernel looks a service up by: family with protocol, address and port, or family with a firewall mark.
/// The kernel stores TCP as the protocol of every fwmark service, so a fwmark key always says TCP.
/// </summary>
public readonly record struct IpvsServiceKey(IpFamily Family, IpvsProtocol Protocol, IPAddress? Address, ushort Port, uint Fwmark)
{
    public static IpvsServiceKey ForAddress(IpvsProtocol protocol, IPAddress address, ushort port) =>
        new(ResolvedVrrpInstance.FamilyOf(address), protocol, address, port, 0);

    public static IpvsServiceKey ForFwmark(IpFamily family, uint fwmark) => new(family, IpvsProtocol.Tcp, null, 0, fwmark);

    /// <summary>As ipvsadm names it: TCP 198.51.100.100:80, FWM 1 IPv6.</summary>
    public override string ToString() => Fwmark != 0
        ? $"FWM {Fwmark}{(Family == IpFamily.IPv6 ? " IPv6" : "")}"
        : $"{Protocol.ToString().ToUpperInvariant()} {Endpoints.Format(Address!, Port)}";
}

/// <summary>IP_VS_SVC_F_*: persistence, one-packet scheduling and the scheduler's own flags (sh/mh fallback and port).</summary>
[Flags]
public enum IpvsServiceFlags : uint
{
    None = 0,
    Persistent = 0x1,
    OnePacket = 0x4,
    /// <summary>IP_VS_SVC_F_SCHED1: sh-fallback / mh-fallback.</summary>
    Scheduler1 = 0x8,
    /// <summary>IP_VS_SVC_F_SCHED2: sh-port / mh-port.</summary>
    Scheduler2 = 0x10,
    Scheduler3 = 0x20,
}

/// <summary>
/// What an edit of a service can change without recreating it. <see cref="NetmaskPrefix"/> is the persistence
/// granularity as a prefix length (the kernel takes an IPv4 netmask and an IPv6 prefix length; 32/128 by default).
/// </summary>
public sealed record IpvsServiceSettings(string Scheduler, IpvsServiceFlags Flags, uint TimeoutSeconds, int NetmaskPrefix);

public readonly record struct IpvsDestinationKey(IPAddress Address, ushort Port)
{
    public override string ToString() => Endpoints.Format(Address, Port);
}

/// <summary>What an edit of a destination can change: all of it but the address and port.</summary>
public sealed record IpvsDestinationSettings(IpvsForwarding Forwarding, int Weight, uint UpperThreshold = 0, uint LowerThreshold = 0);

/// <summary>Counters the kernel keeps per service and per destination (the 64-bit set; rates per second).</summary>
public sealed record IpvsStats(
    ulong Connections, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes,
    ulong ConnectionsPerSecond, ulong InPacketsPerSecond, ulong OutPacketsPerSecond, ulong InBytesPerSecond, ulong OutBytesPerSecond)
{
    public static readonly IpvsStats Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>A destination as read from the kernel; the connection counts are those ipvsadm -L shows.</summary>
public sealed record IpvsDestination(IpvsDestinationKey Key, IpvsDestinationSettings Settings)
{
    public uint ActiveConnections { get; init; }
    public uint InactiveConnections { get; init; }
    public uint PersistentConnections { get; init; }
    public IpvsStats Stats { get; init; } = IpvsStats.Zero;
}

public sealed record IpvsService(IpvsServiceKey Key, IpvsServiceSettings Settings)
{
    public IReadOnlyList<IpvsDestination> Destinations { get; init; } = [];
    public IpvsStats Stats { get; init; } = IpvsStats.Zero;
}

/// <summary>
/// An IPVS table: the kernel's as observed, or the one a node should have. Keyed for the planner, which compares
/// two of them; ordered as given, so output is stable.
/// </summary>
public sealed class IpvsTable
{
    public static readonly IpvsTable Empty = new([]);

    private readonly Dictionary<IpvsServiceKey, IpvsService> _byKey;

    public IpvsTable(IEnumerable<IpvsService> services)
    {
        Services = [.. services];
        _byKey = new Dictionary<IpvsServiceKey, IpvsService>(Services.Count);
        foreach (var service in Services)
        {
            if (!_byKey.TryAdd(service.Key, service))
            {
                throw new ArgumentException($"service {service.Key} is listed twice", nameof(services));
            }
        }
    }

    public IReadOnlyList<IpvsService> Services { get; }

    public IpvsService? Find(IpvsServiceKey key) => _byKey.GetValueOrDefault(key);
}
