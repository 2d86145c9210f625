using System.Buffers.Binary;
using System.Net;
using Vigil.Core.Wire;

namespace Vigil.Vrrp.Protocol;

/// <summary>
/// The IPv4 header around a VRRP message (RFC 791), as a raw IPv4 socket delivers it and as keepalived
/// writes it with IP_HDRINCL: TOS 0xc0, TTL 255, DF clear, the identification counting up.
/// </summary>
public readonly record struct Ipv4Header(byte TypeOfService, ushort Identification, byte TimeToLive, byte Protocol, IPAddress Source, IPAddress Destination, bool DontFragment = false)
{
    private const ushort DontFragmentFlag = 0x4000;

    public const int Length = 20;
    /// <summary>RFC 5798 section 5.1.1.3: packets are sent with TTL 255 and checked for it on receipt.</summary>
    public const byte VrrpTimeToLive = 255;
    /// <summary>Internetwork control precedence, as keepalived sets it.</summary>
    public const byte VrrpTypeOfService = 0xc0;

    /// <summary>Writes a 20-byte header (no options) for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public void Write(Span<byte> buffer, int payloadLength)
    {
        var header = buffer[..Length];
        header.Clear();
        header[0] = 0x45; // version 4, IHL 5 words
        header[1] = TypeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(Length + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], Identification);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], DontFragment ? DontFragmentFlag : (ushort)0);
        header[8] = TimeToLive;
        header[9] = Protocol;
        Source.TryWriteBytes(header[12..], out _);
        Destination.TryWriteBytes(header[16..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Finish(InternetChecksum.Add(0, header)));
    }

    /// <summary>Reads the header of an IPv4 datagram and returns where its payload is; never throws on bad input.</summary>
    public static VrrpRejection TryRead(ReadOnlySpan<byte> datagram, out Ipv4Header header, out Range payload)
    {
        header = default;
        payload = default;
        if (datagram.Length < Length)
        {
            return VrrpRejection.TooShort;
        }
        var headerLength = (datagram[0] & 0x0f) * 4;
        if (datagram[0] >> 4 != 4 || headerLength < Length)
        {
            return VrrpRejection.MalformedIpHeader;
        }
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (totalLength < headerLength || datagram.Length < totalLength || datagram.Length < headerLength)
        {
            return VrrpRejection.TooShort;
        }
        header = new Ipv4Header(datagram[1], BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]), datagram[8], datagram[9],
            new IPAddress(datagram.Slice(12, 4)), new IPAddress(datagram.Slice(16, 4)),
            (BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]) & DontFragmentFlag) != 0);
        payload = headerLength..totalLength;
        return VrrpRejection.None;
    }
}

/// <summary>Reads a whole IPv4 VRRP datagram: IP header checks (protocol, TTL), then the VRRP message.</summary>
public static class VrrpDatagram
{
    /// <param name="checkTtl">
    /// RFC 5798 section 7.1's TTL 255; false for a unicast instance, whose peers may be routed and which keepalived does not
    /// check either (its unicast_ttl sets what it sends).
    /// </param>
    public static VrrpRejection TryDecodeIpv4(ReadOnlySpan<byte> datagram, out Ipv4Header header, out VrrpAdvertisement? advertisement, bool checkTtl = true)
    {
        advertisement = null;
        var verdict = Ipv4Header.TryRead(datagram, out header, out var payload);
        if (verdict != VrrpRejection.None)
        {
            return verdict;
        }
        if (header.Protocol != InternetChecksum.VrrpProtocol)
        {
            return VrrpRejection.NotVrrp;
        }
        if (checkTtl && header.TimeToLive != Ipv4Header.VrrpTimeToLive)
        {
            return VrrpRejection.TtlNot255;
        }
        return VrrpCodec.TryDecode(datagram[payload], header.Source, header.Destination, out advertisement);
    }

    /// <summary>Writes IP header and VRRP message; returns the datagram length.</summary>
    public static int EncodeIpv4(Ipv4Header header, VrrpAdvertisement advertisement, Span<byte> buffer)
    {
        var length = VrrpCodec.Encode(advertisement, header.Source, header.Destination, buffer[Ipv4Header.Length..]);
        header.Write(buffer, length);
        return Ipv4Header.Length + length;
    }
}
