using System.Buffers.Binary;
using System.Net.NetworkInformation;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Rtnetlink;

/// <summary>An interface as the kernel reports it (RTM_NEWLINK): what trackInterfaces and GARP need.</summary>
public sealed record NetworkLink(int Index, string Name, bool AdministrativelyUp, bool LowerUp, PhysicalAddress? HardwareAddress)
{
    /// <summary>Usable for VRRP: configured up and with carrier (keepalived tracks the same two flags).</summary>
    public bool IsUp => AdministrativelyUp && LowerUp;
}

/// <summary>RTM_*LINK messages: struct ifinfomsg (16 bytes) then IFLA_* attributes (linux/if_link.h).</summary>
public static class LinkMessages
{
    public const ushort NewLink = 16;
    public const ushort DeleteLink = 17;
    public const ushort GetLink = 18;

    /// <summary>RTMGRP_LINK: the multicast group that announces link changes.</summary>
    public const uint LinkGroup = 1;

    private const ushort IflaAddress = 1;
    private const ushort IflaIfName = 3;
    private const uint IffUp = 0x1;
    private const uint IffLowerUp = 0x10000;
    private const int IfInfoMsgSize = 16;

    public static ReadOnlyMemory<byte> DumpRequest(uint sequence) =>
        new NetlinkMessageWriter(64).Raw(new byte[IfInfoMsgSize]).Finish(GetLink, NetlinkFlags.Request | NetlinkFlags.Dump, sequence);

    public static bool TryParse(NetlinkMessage message, out NetworkLink link)
    {
        link = null!;
        var payload = message.Payload;
        if (message.Header.Type != NewLink || payload.Length < IfInfoMsgSize)
        {
            return false;
        }
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null;
        PhysicalAddress? mac = null;
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
            }
        }
        if (name is null)
        {
            return false;
        }
        link = new NetworkLink(index, name, (flags & IffUp) != 0, (flags & IffLowerUp) != 0, mac);
        return true;
    }
}
