using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Vigil.Core.Wire;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// The unsolicited neighbour advertisement (RFC 4861 section 4.4 and 7.2.6) a new master sends for each IPv6
/// VIP, laid out as keepalived's ndisc_send_unsolicited_na builds it: from the VIP to all-nodes ff02::1,
/// hop limit 255, Override set, Router set when the interface forwards, a target link-layer address option.
/// </summary>
public static class UnsolicitedNeighborAdvertisement
{
    public const int FrameLength = EthernetLength + Ipv6Length + IcmpLength;

    private const int EthernetLength = 14;
    private const int Ipv6Length = 40;
    private const int IcmpLength = 24 + 8; // header, reserved flags, target; then the 8-byte option
    private const byte IcmpV6 = 58;
    private const byte NeighborAdvertisement = 136;
    private const byte TargetLinkLayerAddress = 2;
    private const byte HopLimit = 255;

    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    public static byte[] Build(PhysicalAddress source, IPAddress target, bool router = false)
    {
        var frame = new byte[FrameLength];
        var mac = source.GetAddressBytes();
        // Ethernet: the all-nodes group mapped to 33:33:00:00:00:01 (RFC 2464 section 7).
        frame[0] = frame[1] = 0x33;
        frame[5] = 1;
        mac.CopyTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x86dd);

        var ip = frame.AsSpan(EthernetLength, Ipv6Length);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], IcmpLength);
        ip[6] = IcmpV6;
        ip[7] = HopLimit;
        target.TryWriteBytes(ip[8..], out _);
        AllNodes.TryWriteBytes(ip[24..], out _);

        var icmp = frame.AsSpan(EthernetLength + Ipv6Length);
        icmp[0] = NeighborAdvertisement;
        icmp[4] = (byte)((router ? 0x80 : 0) | 0x20); // R, S = 0, O = 1
        target.TryWriteBytes(icmp[8..], out _);
        icmp[24] = TargetLinkLayerAddress;
        icmp[25] = 1; // in units of 8 octets
        mac.CopyTo(icmp[26..]);
        var sum = InternetChecksum.PseudoHeader(target, AllNodes, IcmpLength, IcmpV6);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Finish(InternetChecksum.Add(sum, icmp)));
        return frame;
    }
}
