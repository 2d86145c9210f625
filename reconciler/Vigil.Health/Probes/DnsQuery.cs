using System.Buffers.Binary;
using System.Text;

namespace Vigil.Health.Probes;

/// <summary>The part of a DNS reply a check reads (RFC 1035 section 4.1.1): which query it answers, its RCODE, how many answers.</summary>
public readonly record struct DnsReply(ushort Id, bool IsResponse, int ResponseCode, int AnswerCount);

/// <summary>RFC 1035 messages, as far as a health check needs: one question out, the header of the reply back.</summary>
public static class DnsQuery
{
    public const int HeaderLength = 12;

    /// <summary>The record types keepalived's DNS_CHECK accepts, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ushort> Types = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase)
    {
        ["A"] = 1, ["NS"] = 2, ["CNAME"] = 5, ["SOA"] = 6, ["PTR"] = 12, ["MX"] = 15, ["TXT"] = 16, ["AAAA"] = 28,
    };

    /// <summary>Writes a recursive query for <paramref name="name"/> of <paramref name="type"/>, class IN; returns its length.</summary>
    public static int Encode(ushort id, string name, ushort type, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0x0100); // RD: recursion desired
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], 1);      // QDCOUNT
        buffer[6..HeaderLength].Clear();                             // ANCOUNT, NSCOUNT, ARCOUNT
        var offset = HeaderLength;
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var length = Encoding.ASCII.GetBytes(label, buffer[(offset + 1)..]);
            if (length is 0 or > 63)
            {
                throw new ArgumentException($"'{name}': a label must be 1-63 characters", nameof(name));
            }
            buffer[offset] = (byte)length;
            offset += 1 + length;
        }
        buffer[offset++] = 0; // the root
        BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(offset + 2)..], 1); // IN
        return offset + 4;
    }

    public static bool TryDecode(ReadOnlySpan<byte> message, out DnsReply reply)
    {
        reply = default;
        if (message.Length < HeaderLength)
        {
            return false;
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        reply = new DnsReply(BinaryPrimitives.ReadUInt16BigEndian(message), (flags & 0x8000) != 0, flags & 0x000F,
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]));
        return true;
    }

    public static string ResponseCodeName(int code) => code switch
    {
        0 => "NOERROR", 1 => "FORMERR", 2 => "SERVFAIL", 3 => "NXDOMAIN", 4 => "NOTIMP", 5 => "REFUSED", _ => $"RCODE {code}",
    };
}
