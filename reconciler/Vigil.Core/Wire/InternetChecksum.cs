using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Core.Wire;

/// <summary>The 16-bit one's complement checksum of RFC 1071, as VRRP, IPv4 and ICMP use it.</summary>
public static class InternetChecksum
{
    public const byte VrrpProtocol = 112;

    /// <summary>Adds 16-bit big-endian words to a running sum; an odd last byte is padded with zero.</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        return sum;
    }

    public static ushort Finish(uint sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    /// <summary>The pseudo-header sum for an upper-layer packet (RFC 768 for IPv4, RFC 8200 section 8.1 for IPv6).</summary>
    public static uint PseudoHeader(IPAddress source, IPAddress destination, int upperLayerLength, byte protocol)
    {
        Span<byte> address = stackalloc byte[16];
        uint sum = 0;
        foreach (var ip in (ReadOnlySpan<IPAddress>)[source, destination])
        {
            ip.TryWriteBytes(address, out var written);
            sum = Add(sum, address[..written]);
        }
        if (source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // 32-bit length, then three zero octets and the next header.
            sum += (uint)(upperLayerLength >> 16) + (uint)(upperLayerLength & 0xffff);
        }
        else
        {
            sum += (uint)upperLayerLength;
        }
        return sum + protocol;
    }
}
