using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Rtnetlink;

/// <summary>rtm_type: what the route does with a packet (linux/rtnetlink.h RTN_*).</summary>
public enum RouteType : byte { Unicast = 1, Blackhole = 6, Unreachable = 7, Prohibit = 8 }

/// <summary>
/// A route as Vigil puts it on the kernel and reads it back (RTM_NEWROUTE). <see cref="Metric"/> is what the kernel
/// reports: IPv6 routes given none get 1024, so a desired route is written with the kernel's value.
/// </summary>
public sealed record KernelRoute(
    IPAddress Destination, int PrefixLength, RouteType Type, uint Table, byte Scope,
    IPAddress? Gateway, int? OutputInterface, IPAddress? PreferredSource, uint? Metric, byte Protocol)
{
    public AddressFamily Family => Destination.AddressFamily;

    /// <summary>
    /// Whether <paramref name="observed"/> is this route as the kernel lists it: what this one leaves open (the device
    /// a gateway implies, a source, a metric) the kernel may have filled in.
    /// </summary>
    public bool Matches(KernelRoute observed) =>
        this with
        {
            OutputInterface = OutputInterface ?? observed.OutputInterface,
            PreferredSource = PreferredSource ?? observed.PreferredSource,
            Metric = Metric ?? observed.Metric,
        } == observed;

    public override string ToString() =>
        (Type == RouteType.Unicast ? "" : $"{Type.ToString().ToLowerInvariant()} ") + $"{Destination}/{PrefixLength}"
        + (Gateway is null ? "" : $" via {Gateway}") + (OutputInterface is { } dev ? $" dev #{dev}" : "")
        + (PreferredSource is null ? "" : $" src {PreferredSource}") + $" table {Table}" + (Metric is { } m ? $" metric {m}" : "");
}

/// <summary>RTM_*ROUTE requests and replies: struct rtmsg (12 bytes), then RTA_* attributes (linux/rtnetlink.h).</summary>
public static class RouteMessages
{
    public const ushort NewRoute = 24;
    public const ushort DeleteRoute = 25;
    public const ushort GetRoute = 26;

    /// <summary>
    /// rtm_protocol (and FRA_PROTOCOL for rules) of what Vigil adds: how it knows its own routes and rules from everyone
    /// else's, which it never deletes. Not assigned in the kernel's or iproute2's lists (keepalived's is 18).
    /// </summary>
    public const byte VigilProtocol = 86;

    public const uint MainTable = 254;
    public const byte ScopeUniverse = 0;
    public const byte ScopeLink = 253;

    private const ushort RtaDestination = 1;
    private const ushort RtaOutputInterface = 4;
    private const ushort RtaGateway = 5;
    private const ushort RtaPriority = 6;
    private const ushort RtaPreferredSource = 7;
    private const ushort RtaTable = 15;
    private const byte TableCompat = 252; // RT_TABLE_COMPAT: the real table is in RTA_TABLE
    private const uint CloneFlag = 0x200;   // RTM_F_CLONED: a cache entry, not a route anyone added
    private const int RtMsgSize = 12;

    public static ReadOnlyMemory<byte> DumpRequest(uint sequence) =>
        new NetlinkMessageWriter(64).Raw(new byte[RtMsgSize]).Finish(GetRoute, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    /// <summary>Add (NLM_F_CREATE | NLM_F_EXCL: the same route already there is EEXIST) or delete.</summary>
    public static ReadOnlyMemory<byte> ChangeRequest(bool add, KernelRoute route, uint sequence)
    {
        Span<byte> header = stackalloc byte[RtMsgSize];
        header.Clear();
        header[0] = Family(route.Family);
        header[1] = (byte)route.PrefixLength;
        header[4] = route.Table < 256 ? (byte)route.Table : TableCompat;
        header[5] = route.Protocol;
        header[6] = route.Scope;
        header[7] = (byte)route.Type;
        var writer = new NetlinkMessageWriter(160).Raw(header).Attribute(RtaTable, route.Table);
        if (route.PrefixLength > 0)
        {
            writer.Attribute(RtaDestination, route.Destination.GetAddressBytes());
        }
        if (route.Gateway is { } gateway)
        {
            writer.Attribute(RtaGateway, gateway.GetAddressBytes());
        }
        if (route.OutputInterface is { } index)
        {
            writer.Attribute(RtaOutputInterface, (uint)index);
        }
        if (route.PreferredSource is { } source)
        {
            writer.Attribute(RtaPreferredSource, source.GetAddressBytes());
        }
        if (route.Metric is { } metric)
        {
            writer.Attribute(RtaPriority, metric);
        }
        var flags = NetlinkFlags.Request | NetlinkFlags.Ack | (add ? NetlinkFlags.Create | NetlinkFlags.Excl : NetlinkFlags.None);
        return writer.Finish(add ? NewRoute : DeleteRoute, flags, sequence);
    }

    /// <summary>A route of the dump; cache entries and multipath routes (which Vigil does not add) are passed over.</summary>
    public static bool TryParse(NetlinkMessage message, out KernelRoute route)
    {
        route = null!;
        try
        {
            return message.Header.Type == NewRoute && TryRead(message.Payload, out route);
        }
        catch (NetlinkFormatException)
        {
            return false;
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> payload, out KernelRoute route)
    {
        route = null!;
        if (payload.Length < RtMsgSize || payload[0] is not (2 or 10)
            || (BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]) & CloneFlag) != 0
            || !Enum.IsDefined((RouteType)payload[7]))
        {
            return false;
        }
        var family = payload[0] == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        IPAddress? destination = null, gateway = null, source = null;
        int? output = null;
        uint? metric = null;
        uint table = payload[4];
        var attributes = new NetlinkAttributeReader(payload[RtMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case RtaDestination:
                    destination = attribute.AsAddress();
                    break;
                case RtaGateway:
                    gateway = attribute.AsAddress();
                    break;
                case RtaPreferredSource:
                    source = attribute.AsAddress();
                    break;
                case RtaOutputInterface:
                    output = (int)attribute.AsUInt32();
                    break;
                case RtaPriority:
                    metric = attribute.AsUInt32();
                    break;
                case RtaTable:
                    table = attribute.AsUInt32();
                    break;
            }
        }
        destination ??= family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        if (destination.AddressFamily != family)
        {
            return false;
        }
        route = new KernelRoute(destination, payload[1], (RouteType)payload[7], table, payload[6], gateway, output, source, metric, payload[5]);
        return true;
    }

    internal static byte Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;
}
