using System.Buffers.Binary;
using System.Net.NetworkInformation;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Rtnetlink;

/// <summary>An interface as the kernel reports it (RTM_NEWLINK): what trackInterfaces, GARP and virtual MACs need.</summary>
/// <param name="Kind">The driver (IFLA_INFO_KIND: "veth", "macvlan"...), null for plain devices.</param>
/// <param name="ParentIndex">The lower device of a macvlan or VLAN (IFLA_LINK), null when none.</param>
public sealed record NetworkLink(int Index, string Name, bool AdministrativelyUp, bool LowerUp, PhysicalAddress? HardwareAddress,
    string? Kind = null, int? ParentIndex = null)
{
    /// <summary>Usable for VRRP: configured up and with carrier (keepalived tracks the same two flags).</summary>
    public bool IsUp => AdministrativelyUp && LowerUp;
}

/// <summary>RTM_*LINK messages: struct ifinfomsg (16 bytes) then IFLA_* attributes (linux/if_link.h).</summary>
public static class LinkMessages
{
    public const ushort NewLink = 16;

    /// <summary>RTM_DELLINK: an interface was deleted (its notification names the index that is gone).</summary>
    public const ushort DelLink = 17;
    public const ushort DeleteLink = 17;
    public const ushort GetLink = 18;

    /// <summary>RTMGRP_LINK: the multicast group that announces link changes.</summary>
    public const uint LinkGroup = 1;

    private const ushort IflaAddress = 1;
    private const ushort IflaIfName = 3;
    private const ushort IflaLink = 5;
    private const ushort IflaLinkInfo = 18;
    private const ushort IflaAfSpec = 26;
    private const ushort IflaInfoKind = 1;
    private const ushort IflaInfoData = 2;
    private const ushort IflaMacvlanMode = 1;
    private const ushort IflaInetConf = 1;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;
    private const ushort IflaInet6AddrGenMode = 8;
    private const byte In6AddrGenModeNone = 1;

    /// <summary>MACVLAN_MODE_PRIVATE: the mode keepalived's use_vmac creates (no traffic between macvlans of one parent).</summary>
    private const uint MacvlanModePrivate = 1;
    private const uint IffUp = 0x1;
    private const uint IffLowerUp = 0x10000;
    private const int IfInfoMsgSize = 16;

    public static ReadOnlyMemory<byte> DumpRequest(uint sequence) =>
        new NetlinkMessageWriter(64).Raw(IfInfoMsg(0, 0, 0)).Finish(GetLink, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    /// <summary>
    /// A macvlan named <paramref name="name"/> over <paramref name="parentIndex"/> with <paramref name="mac"/>, in private
    /// mode; created down (NLM_F_CREATE | NLM_F_EXCL: an existing interface of that name is an error).
    /// </summary>
    public static ReadOnlyMemory<byte> CreateMacvlanRequest(string name, int parentIndex, PhysicalAddress mac, uint sequence) =>
        new NetlinkMessageWriter(256)
            .Raw(IfInfoMsg(0, 0, 0))
            .BeginNested(IflaLinkInfo)
                .Attribute(IflaInfoKind, "macvlan")
                .BeginNested(IflaInfoData)
                    .Attribute(IflaMacvlanMode, MacvlanModePrivate)
                .EndNested()
            .EndNested()
            .Attribute(IflaLink, (uint)parentIndex)
            .Attribute(IflaIfName, name)
            .Attribute(IflaAddress, mac.GetAddressBytes())
            .Finish(NewLink, NetlinkFlags.Request | NetlinkFlags.Ack | NetlinkFlags.Create | NetlinkFlags.Excl, sequence);

    /// <summary>Sets IFF_UP (ifi_change names the one flag changed).</summary>
    public static ReadOnlyMemory<byte> SetUpRequest(int index, bool up, uint sequence) =>
        new NetlinkMessageWriter(64).Raw(IfInfoMsg(index, up ? IffUp : 0, IffUp)).Finish(NewLink, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);

    public static ReadOnlyMemory<byte> DeleteRequest(int index, uint sequence) =>
        new NetlinkMessageWriter(64).Raw(IfInfoMsg(index, 0, 0)).Finish(DeleteLink, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);

    /// <summary>
    /// Sets per-interface IPv4 settings (net.ipv4.conf.IF.*) over netlink: IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF,
    /// one attribute per IPV4_DEVCONF_* index (linux/ip.h), as keepalived does for its virtual MACs.
    /// </summary>
    public static ReadOnlyMemory<byte> SetIpv4ConfigRequest(int index, IReadOnlyDictionary<Ipv4DeviceSetting, uint> settings, uint sequence)
    {
        var writer = new NetlinkMessageWriter(256).Raw(IfInfoMsg(index, 0, 0)).BeginNested(IflaAfSpec).BeginNested(AfInet).BeginNested(IflaInetConf);
        foreach (var (setting, value) in settings)
        {
            writer.Attribute((ushort)setting, value);
        }
        return writer.EndNested().EndNested().EndNested().Finish(NewLink, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);
    }

    /// <summary>
    /// IN6_ADDR_GEN_MODE_NONE: the kernel makes no link-local address of its own on the interface (RFC 5798 section 7.4:
    /// a virtual MAC must not give the routers one shared link-local address).
    /// </summary>
    public static ReadOnlyMemory<byte> SetNoIpv6AddressGenerationRequest(int index, uint sequence) =>
        new NetlinkMessageWriter(64).Raw(IfInfoMsg(index, 0, 0))
            .BeginNested(IflaAfSpec).BeginNested(AfInet6).Attribute(IflaInet6AddrGenMode, [In6AddrGenModeNone]).EndNested().EndNested()
            .Finish(NewLink, NetlinkFlags.Request | NetlinkFlags.Ack, sequence);

    /// <summary>struct ifinfomsg: family AF_UNSPEC, type, index, flags, change mask.</summary>
    private static byte[] IfInfoMsg(int index, uint flags, uint change)
    {
        var bytes = new byte[IfInfoMsgSize];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), change);
        return bytes;
    }

    public static bool TryParse(NetlinkMessage message, out NetworkLink link)
    {
        try
        {
            return TryRead(message, out link);
        }
        catch (NetlinkFormatException)
        {
            link = null!;
            return false;
        }
    }

    private static bool TryRead(NetlinkMessage message, out NetworkLink link)
    {
        link = null!;
        var payload = message.Payload;
        if (message.Header.Type != NewLink || payload.Length < IfInfoMsgSize)
        {
            return false;
        }
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null, kind = null;
        PhysicalAddress? mac = null;
        int? parent = null;
        var attributes = new NetlinkAttributeReader(payload[IfInfoMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IflaIfName:
                    name = attribute.AsString();
                    break;
                case IflaAddress:
                    mac = new PhysicalAddress(attribute.Value.ToArray());
                    break;
                case IflaLink:
                    parent = (int)attribute.AsUInt32();
                    break;
                case IflaLinkInfo:
                    var info = attribute.Nested();
                    while (info.TryRead(out var part))
                    {
                        if (part.Type == IflaInfoKind)
                        {
                            kind = part.AsString();
                        }
                    }
                    break;
            }
        }
        if (name is null)
        {
            return false;
        }
        link = new NetworkLink(index, name, (flags & IffUp) != 0, (flags & IffLowerUp) != 0, mac, kind, parent);
        return true;
    }
}

/// <summary>IPV4_DEVCONF_* indexes (linux/ip.h), as net.ipv4.conf.IF.* names them.</summary>
public enum Ipv4DeviceSetting : ushort
{
    RpFilter = 8,
    ArpFilter = 13,
    ArpIgnore = 19,
    AcceptLocal = 23,
}
