using System.Buffers.Binary;
using Vigil.Core.Wire;

namespace Vigil.Health.Probes;

/// <summary>
/// ICMP and ICMPv6 echo request and reply (RFC 792, RFC 4443 section 4): type, code, checksum, identifier, sequence
/// number, data. An IPv4 raw socket computes no ICMP checksum and receives the IP header; an ICMPv6 one does both for us.
/// </summary>
public static class IcmpEcho
{
    public const int HeaderSize = 8;
    private const byte RequestV4 = 8, ReplyV4 = 0, RequestV6 = 128, ReplyV6 = 129;

    /// <summary>Writes a request into <paramref name="buffer"/>; returns its length.</summary>
    public static int WriteRequest(Span<byte> buffer, bool ipv6, ushort identifier, ushort sequence, ReadOnlySpan<byte> data)
    {
        var length = HeaderSize + data.Length;
        buffer[..length].Clear();
        buffer[0] = ipv6 ? RequestV6 : RequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], sequence);
        data.CopyTo(buffer[HeaderSize..]);
        if (!ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], InternetChecksum.Finish(InternetChecksum.Add(0, buffer[..length])));
        }
        return length;
    }

    /// <summary>Whether what a raw socket received is the reply to our request (IPv4: after its IP header).</summary>
    public static bool IsReply(ReadOnlySpan<byte> received, bool ipv6, ushort identifier, ushort sequence)
    {
        if (!ipv6)
        {
            if (received.Length < 20 || received[0] >> 4 != 4)
            {
                return false;
            }
            received = received[((received[0] & 0x0f) * 4)..];
        }
        return received.Length >= HeaderSize
            && received[0] == (ipv6 ? ReplyV6 : ReplyV4)
            && received[1] == 0
            && BinaryPrimitives.ReadUInt16BigEndian(received[4..]) == identifier
            && BinaryPrimitives.ReadUInt16BigEndian(received[6..]) == sequence;
    }
}
