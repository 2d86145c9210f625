using System.Buffers.Binary;
using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Netlink.Generic;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Ipvs;

/// <summary>IPVS_CMD_*: the generic netlink commands of the IPVS family (linux/ip_vs.h).</summary>
public enum IpvsCommand : byte
{
    NewService = 1,
    SetService = 2,
    DeleteService = 3,
    GetService = 4,
    NewDestination = 5,
    SetDestination = 6,
    DeleteDestination = 7,
    GetDestination = 8,
    GetInfo = 15,
    Flush = 17,
}

/// <summary>
/// The IPVS codec: requests carrying a service (IPVS_CMD_ATTR_SERVICE) and a destination (IPVS_CMD_ATTR_DEST) as
/// nested attributes, and the kernel's replies to dumps. Host byte order except addresses and ports (network order)
/// and an IPv4 persistence netmask (network order too: the kernel stores it as __be32).
/// </summary>
public static class IpvsMessages
{
    public const byte Version = 1;

    private const ushort CmdAttrService = 1;
    private const ushort CmdAttrDestination = 2;

    // IPVS_SVC_ATTR_*
    private const ushort SvcAf = 1, SvcProtocol = 2, SvcAddr = 3, SvcPort = 4, SvcFwmark = 5, SvcSchedName = 6,
        SvcFlags = 7, SvcTimeout = 8, SvcNetmask = 9, SvcStats64 = 12;

    // IPVS_DEST_ATTR_*
    private const ushort DestAddr = 1, DestPort = 2, DestFwdMethod = 3, DestWeight = 4, DestUThresh = 5, DestLThresh = 6,
        DestActiveConns = 7, DestInactConns = 8, DestPersistConns = 9, DestAddrFamily = 11, DestStats64 = 12;

    // IP_VS_CONN_F_*: the forwarding method in the low bits of the connection flags.
    private const uint ConnMasquerade = 0, ConnTunnel = 2, ConnDirectRoute = 3, ConnForwardMask = 7;

    /// <summary>IP_VS_SVC_F_HASHED: the kernel's own bookkeeping, reported in dumps but never set by us.</summary>
    private const uint ServiceHashed = 0x2;

    private const ushort AfInet = 2, AfInet6 = 10;

    public static ReadOnlyMemory<byte> ServiceRequest(IpvsCommand command, IpvsServiceKey key, IpvsServiceSettings? settings, ushort family, uint sequence)
    {
        var writer = GenericNetlinkMessages.Begin((byte)command, Version);
        WriteService(writer, key, settings);
        return writer.Finish(family, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);
    }

    public static ReadOnlyMemory<byte> DestinationRequest(
        IpvsCommand command, IpvsServiceKey service, IpvsDestinationKey key, IpvsDestinationSettings? settings, ushort family, uint sequence)
    {
        var writer = GenericNetlinkMessages.Begin((byte)command, Version);
        WriteService(writer, service, null);
        writer.BeginNested(CmdAttrDestination)
            .AttributeUInt16(DestAddrFamily, FamilyOf(key.Address))
            .Attribute(DestAddr, Address16(key.Address))
            .Attribute(DestPort, NetworkPort(key.Port));
        if (settings is not null)
        {
            writer.Attribute(DestFwdMethod, ConnFlagsOf(settings.Forwarding))
                .Attribute(DestWeight, (uint)settings.Weight)
                .Attribute(DestUThresh, settings.UpperThreshold)
                .Attribute(DestLThresh, settings.LowerThreshold);
        }
        writer.EndNested();
        return writer.Finish(family, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);
    }

    public static ReadOnlyMemory<byte> ServiceDumpRequest(ushort family, uint sequence) =>
        GenericNetlinkMessages.Begin((byte)IpvsCommand.GetService, Version).Finish(family, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    public static ReadOnlyMemory<byte> DestinationDumpRequest(IpvsServiceKey service, ushort family, uint sequence)
    {
        var writer = GenericNetlinkMessages.Begin((byte)IpvsCommand.GetDestination, Version);
        WriteService(writer, service, null);
        return writer.Finish(family, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);
    }

    public static ReadOnlyMemory<byte> FlushRequest(ushort family, uint sequence) =>
        GenericNetlinkMessages.Begin((byte)IpvsCommand.Flush, Version).Finish(family, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);

    /// <summary>One service of a dump (IPVS_CMD_NEW_SERVICE carrying IPVS_CMD_ATTR_SERVICE).</summary>
    public static bool TryParseService(NetlinkMessage message, out IpvsService service) =>
        TryParseNested(message, CmdAttrService, TryReadService, out service);

    /// <summary>One destination of a dump (IPVS_CMD_NEW_DEST carrying IPVS_CMD_ATTR_DEST).</summary>
    public static bool TryParseDestination(NetlinkMessage message, out IpvsDestination destination) =>
        TryParseNested(message, CmdAttrDestination, TryReadDestination, out destination);

    private delegate bool NestedReader<T>(NetlinkAttributeReader attributes, out T value);

    private static bool TryParseNested<T>(NetlinkMessage message, ushort type, NestedReader<T> read, out T value)
    {
        value = default!;
        var outer = GenericNetlinkMessages.Attributes(message);
        while (outer.TryRead(out var attribute))
        {
            if (attribute.Type == type)
            {
                try
                {
                    return read(attribute.Nested(), out value);
                }
                catch (NetlinkFormatException)
                {
                    value = default!;
                    return false;
                }
            }
        }
        return false;
    }

    private static void WriteService(NetlinkMessageWriter writer, IpvsServiceKey key, IpvsServiceSettings? settings)
    {
        var family = key.Family == IpFamily.IPv6 ? AfInet6 : AfInet;
        writer.BeginNested(CmdAttrService).AttributeUInt16(SvcAf, family);
        if (key.Fwmark != 0)
        {
            writer.Attribute(SvcFwmark, key.Fwmark);
        }
        else
        {
            writer.AttributeUInt16(SvcProtocol, (ushort)ProtocolNumber(key.Protocol))
                .Attribute(SvcAddr, Address16(key.Address!))
                .Attribute(SvcPort, NetworkPort(key.Port));
        }
        if (settings is not null)
        {
            Span<byte> flags = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)settings.Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(flags[4..], ~ServiceHashed); // mask: every flag we own
            writer.Attribute(SvcSchedName, settings.Scheduler)
                .Attribute(SvcFlags, flags)
                .Attribute(SvcTimeout, settings.TimeoutSeconds)
                .Attribute(SvcNetmask, NetmaskValue(key.Family, settings.NetmaskPrefix));
        }
        writer.EndNested();
    }

    private static bool TryReadService(NetlinkAttributeReader attributes, out IpvsService service)
    {
        service = null!;
        ushort af = 0, protocol = 0, port = 0;
        uint fwmark = 0, flags = 0, timeout = 0, netmask = 0;
        ReadOnlySpan<byte> address = default;
        string? scheduler = null;
        var stats = IpvsStats.Zero;
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case SvcAf: af = attribute.AsUInt16(); break;
                case SvcProtocol: protocol = attribute.AsUInt16(); break;
                case SvcAddr: address = attribute.Value; break;
                case SvcPort: port = attribute.AsUInt16BigEndian(); break;
                case SvcFwmark: fwmark = attribute.AsUInt32(); break;
                case SvcSchedName: scheduler = attribute.AsString(); break;
                case SvcFlags: flags = attribute.AsUInt32(); break;
                case SvcTimeout: timeout = attribute.AsUInt32(); break;
                case SvcNetmask: netmask = attribute.AsUInt32(); break;
                case SvcStats64: stats = ReadStats(attribute.Nested()); break;
            }
        }
        // A fwmark service comes without protocol, address and port.
        var ipvsProtocol = ProtocolOf(protocol);
        if (af is not (AfInet or AfInet6) || scheduler is null || (fwmark == 0 && (ipvsProtocol is null || address.Length < 16)))
        {
            return false;
        }
        var family = af == AfInet6 ? IpFamily.IPv6 : IpFamily.IPv4;
        var key = fwmark != 0
            ? IpvsServiceKey.ForFwmark(family, fwmark)
            : IpvsServiceKey.ForAddress(ipvsProtocol!.Value, AddressOf(af, address), port);
        var settings = new IpvsServiceSettings(scheduler, (IpvsServiceFlags)(flags & ~ServiceHashed), timeout, PrefixOf(family, netmask));
        service = new IpvsService(key, settings) { Stats = stats };
        return true;
    }

    private static bool TryReadDestination(NetlinkAttributeReader attributes, out IpvsDestination destination)
    {
        destination = null!;
        ushort af = 0, port = 0;
        uint connFlags = 0, weight = 0, upper = 0, lower = 0, active = 0, inactive = 0, persistent = 0;
        ReadOnlySpan<byte> address = default;
        var stats = IpvsStats.Zero;
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case DestAddr: address = attribute.Value; break;
                case DestPort: port = attribute.AsUInt16BigEndian(); break;
                case DestFwdMethod: connFlags = attribute.AsUInt32(); break;
                case DestWeight: weight = attribute.AsUInt32(); break;
                case DestUThresh: upper = attribute.AsUInt32(); break;
                case DestLThresh: lower = attribute.AsUInt32(); break;
                case DestActiveConns: active = attribute.AsUInt32(); break;
                case DestInactConns: inactive = attribute.AsUInt32(); break;
                case DestPersistConns: persistent = attribute.AsUInt32(); break;
                case DestAddrFamily: af = attribute.AsUInt16(); break;
                case DestStats64: stats = ReadStats(attribute.Nested()); break;
            }
        }
        if (address.Length < 16 || ForwardingOf(connFlags) is not { } forwarding)
        {
            return false;
        }
        // Kernels before 4.x leave out the family: an address whose last 12 bytes are zero is IPv4 there.
        if (af == 0)
        {
            af = address[4..].IndexOfAnyExcept((byte)0) < 0 ? AfInet : AfInet6;
        }
        destination = new IpvsDestination(new IpvsDestinationKey(AddressOf(af, address), port), new IpvsDestinationSettings(forwarding, (int)weight, upper, lower))
        {
            ActiveConnections = active,
            InactiveConnections = inactive,
            PersistentConnections = persistent,
            Stats = stats,
        };
        return true;
    }

    // IPVS_STATS_ATTR_*: CONNS, INPKTS, OUTPKTS, INBYTES, OUTBYTES, CPS, INPPS, OUTPPS, INBPS, OUTBPS (1-10), u64 in STATS64.
    private static IpvsStats ReadStats(NetlinkAttributeReader attributes)
    {
        Span<ulong> values = stackalloc ulong[11];
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type is >= 1 and <= 10 && attribute.Value.Length >= 8)
            {
                values[attribute.Type] = BinaryPrimitives.ReadUInt64LittleEndian(attribute.Value);
            }
        }
        return new IpvsStats(values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10]);
    }

    /// <summary>union nf_inet_addr: 16 bytes, an IPv4 address in the first 4.</summary>
    private static byte[] Address16(IPAddress address)
    {
        var bytes = new byte[16];
        address.GetAddressBytes().CopyTo(bytes, 0);
        return bytes;
    }

    private static IPAddress AddressOf(ushort af, ReadOnlySpan<byte> address) => af == AfInet6
        ? address.Length >= 16 ? new(address[..16]) : throw new NetlinkFormatException($"an IPv6 address of {address.Length} bytes")
        : address.Length >= 4 ? new(address[..4]) : throw new NetlinkFormatException($"an IPv4 address of {address.Length} bytes");

    private static ushort FamilyOf(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;

    private static byte[] NetworkPort(ushort port) => [(byte)(port >> 8), (byte)port];

    private static uint NetmaskValue(IpFamily family, int prefix)
    {
        if (family == IpFamily.IPv6)
        {
            return (uint)prefix;
        }
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return BinaryPrimitives.ReverseEndianness(mask); // network order in a host-order u32 attribute
    }

    private static int PrefixOf(IpFamily family, uint netmask) =>
        family == IpFamily.IPv6 ? (int)netmask : System.Numerics.BitOperations.PopCount(netmask);

    private static int ProtocolNumber(IpvsProtocol protocol) => protocol switch
    {
        IpvsProtocol.Udp => 17,
        IpvsProtocol.Sctp => 132,
        _ => 6,
    };

    private static IpvsProtocol? ProtocolOf(ushort number) => number switch
    {
        6 => IpvsProtocol.Tcp,
        17 => IpvsProtocol.Udp,
        132 => IpvsProtocol.Sctp,
        _ => null,
    };

    private static uint ConnFlagsOf(IpvsForwarding forwarding) => forwarding switch
    {
        IpvsForwarding.Dr => ConnDirectRoute,
        IpvsForwarding.Tun => ConnTunnel,
        _ => ConnMasquerade,
    };

    private static IpvsForwarding? ForwardingOf(uint connFlags) => (connFlags & ConnForwardMask) switch
    {
        ConnMasquerade => IpvsForwarding.Nat,
        ConnTunnel => IpvsForwarding.Tun,
        ConnDirectRoute => IpvsForwarding.Dr,
        _ => null, // local node or bypass: not something Vigil configures
    };
}
