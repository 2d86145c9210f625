using System.Buffers.Binary;

namespace Vigil.Netlink.Wire;

/// <summary>Header flags (linux/netlink.h).</summary>
[Flags]
public enum NetlinkFlags : ushort
{
    None = 0,
    Request = 0x1,
    Multi = 0x2,
    Ack = 0x4,
    /// <summary>With GET: NLM_F_ROOT | NLM_F_MATCH.</summary>
    Dump = 0x300,
    /// <summary>With NEW: NLM_F_EXCL (fail if it exists).</summary>
    Excl = 0x200,
    /// <summary>With NEW: NLM_F_CREATE.</summary>
    Create = 0x400,
}

/// <summary>
/// struct nlmsghdr (16 bytes). Netlink is in host byte order, which is little-endian on every platform
/// Vigil runs on; the reader and writer say so explicitly rather than cast structs over buffers.
/// </summary>
public readonly record struct NetlinkHeader(uint Length, ushort Type, NetlinkFlags Flags, uint Sequence, uint PortId)
{
    public const int Size = 16;
    public const ushort Done = 3;
    public const ushort Error = 2;

    public void Write(Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[12..], PortId);
    }

    public static bool TryRead(ReadOnlySpan<byte> buffer, out NetlinkHeader header)
    {
        header = default;
        if (buffer.Length < Size)
        {
            return false;
        }
        header = new NetlinkHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(buffer),
            BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..]),
            (NetlinkFlags)BinaryPrimitives.ReadUInt16LittleEndian(buffer[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(buffer[12..]));
        return header.Length >= Size && header.Length <= buffer.Length;
    }

    /// <summary>NLMSG_ALIGN / NLA_ALIGN: every header, payload and attribute is padded to 4 bytes.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}

/// <summary>One message in a receive buffer: its header and payload.</summary>
public readonly ref struct NetlinkMessage(NetlinkHeader header, ReadOnlySpan<byte> payload)
{
    public NetlinkHeader Header { get; } = header;

    public ReadOnlySpan<byte> Payload { get; } = payload;

    /// <summary>For NLMSG_ERROR: 0 is an acknowledgement, otherwise a negative errno.</summary>
    public int ErrorCode => Payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(Payload) : 0;
}

/// <summary>Walks the messages packed in one datagram.</summary>
public ref struct NetlinkMessageReader(ReadOnlySpan<byte> buffer)
{
    private ReadOnlySpan<byte> _rest = buffer;

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (!NetlinkHeader.TryRead(_rest, out var header))
        {
            return false;
        }
        message = new NetlinkMessage(header, _rest[NetlinkHeader.Size..(int)header.Length]);
        _rest = _rest[Math.Min(_rest.Length, NetlinkHeader.Align((int)header.Length))..];
        return true;
    }
}
