using System.Net;
using System.Net.Sockets;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Rtnetlink;

/// <summary>An address on an interface as the kernel reports it (RTM_NEWADDR).</summary>
public sealed record InterfaceAddress(int InterfaceIndex, IPAddress Address, int PrefixLength, byte Scope, string? Label);

/// <summary>An address notification (RTM_NEWADDR or RTM_DELADDR), whoever made the change.</summary>
public sealed record AddressEvent(bool Added, InterfaceAddress Address);

/// <summary>RTM_*ADDR requests and replies: struct ifaddrmsg (8 bytes) then IFA_* attributes (linux/if_addr.h).</summary>
public static class AddressMessages
{
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort GetAddress = 22;

    /// <summary>RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR: the groups that announce address changes.</summary>
    public const uint Ipv4AddressGroup = 0x10;
    public const uint Ipv6AddressGroup = 0x100;

    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort IfaLabel = 3;
    private const ushort IfaFlags = 8;

    /// <summary>IFA_F_NODAD: usable at once, without duplicate address detection.</summary>
    private const uint IfaFNoDad = 0x02;
    private const int IfAddrMsgSize = 8;

    public static ReadOnlyMemory<byte> DumpRequest(uint sequence) =>
        new NetlinkMessageWriter(64).Raw(IfAddrMsg(AddressFamily.Unspecified, 0, 0, 0)).Finish(GetAddress, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    /// <summary>
    /// Add (NLM_F_CREATE | NLM_F_EXCL: an existing address is an error, not silently kept) or delete; an IPv6 address
    /// added with <paramref name="skipDuplicateDetection"/> is usable at once (IFA_F_NODAD).
    /// </summary>
    public static ReadOnlyMemory<byte> ChangeRequest(bool add, InterfaceAddress address, uint sequence, bool skipDuplicateDetection = false)
    {
        var bytes = address.Address.GetAddressBytes();
        var writer = new NetlinkMessageWriter(128)
            .Raw(IfAddrMsg(address.Address.AddressFamily, (byte)address.PrefixLength, address.Scope, address.InterfaceIndex))
            .Attribute(IfaLocal, bytes)
            .Attribute(IfaAddress, bytes);
        if (address.Label is not null)
        {
            writer.Attribute(IfaLabel, address.Label);
        }
        if (add && skipDuplicateDetection)
        {
            writer.Attribute(IfaFlags, IfaFNoDad);
        }
        var flags = NetlinkFlags.Request | NetlinkFlags.Ack | (add ? NetlinkFlags.Create | NetlinkFlags.Excl : NetlinkFlags.None);
        return writer.Finish(add ? NewAddress : DeleteAddress, flags, sequence);
    }

    public static bool TryParse(NetlinkMessage message, out InterfaceAddress address)
    {
        address = null!;
        return message.Header.Type == NewAddress && TryParseAddress(message.Payload, out address);
    }

    private static bool TryParseAddress(ReadOnlySpan<byte> payload, out InterfaceAddress address)
    {
        try
        {
            return TryReadAddress(payload, out address);
        }
        catch (NetlinkFormatException)
        {
            address = null!;
            return false;
        }
    }

    /// <summary>An address notification: RTM_NEWADDR (added, or changed) or RTM_DELADDR (removed).</summary>
    public static bool TryParseEvent(NetlinkMessage message, out AddressEvent addressEvent)
    {
        addressEvent = null!;
        if (message.Header.Type is not (NewAddress or DeleteAddress) || !TryParseAddress(message.Payload, out var address))
        {
            return false;
        }
        addressEvent = new AddressEvent(message.Header.Type == NewAddress, address);
        return true;
    }

    private static bool TryReadAddress(ReadOnlySpan<byte> payload, out InterfaceAddress address)
    {
        address = null!;
        if (payload.Length < IfAddrMsgSize)
        {
            return false;
        }
        var family = payload[0] == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        IPAddress? local = null, peer = null;
        string? label = null;
        var attributes = new NetlinkAttributeReader(payload[IfAddrMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IfaLocal:
                    local = attribute.AsAddress();
                    break;
                case IfaAddress:
                    peer = attribute.AsAddress();
                    break;
                case IfaLabel:
                    label = attribute.AsString();
                    break;
            }
        }
        // IFA_LOCAL is the interface's own address; IPv6 sends only IFA_ADDRESS.
        var own = local ?? peer;
        if (own is null || own.AddressFamily != family)
        {
            return false;
        }
        address = new InterfaceAddress((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), own, payload[1], payload[3], label);
        return true;
    }

    private static byte[] IfAddrMsg(AddressFamily family, byte prefixLength, byte scope, int index)
    {
        var bytes = new byte[IfAddrMsgSize];
        bytes[0] = family switch { AddressFamily.InterNetwork => 2, AddressFamily.InterNetworkV6 => 10, _ => 0 };
        bytes[1] = prefixLength;
        bytes[3] = scope;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)index);
        return bytes;
    }
}
