using System.Buffers.Binary;
using System.Text;

namespace Vigil.Netlink.Wire;

/// <summary>One attribute (struct nlattr: 2-byte length, 2-byte type, value, padded to 4).</summary>
public readonly ref struct NetlinkAttribute(ushort type, ReadOnlySpan<byte> value)
{
    /// <summary>The type without NLA_F_NESTED / NLA_F_NET_BYTEORDER.</summary>
    public ushort Type { get; } = (ushort)(type & 0x3fff);

    public ReadOnlySpan<byte> Value { get; } = value;

    public uint AsUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Sized(4));

    public ushort AsUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Sized(2));

    /// <summary>A port, in network byte order.</summary>
    public ushort AsUInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Sized(2));

    /// <summary>An IPv4 (4 bytes) or IPv6 (16 bytes) address.</summary>
    public System.Net.IPAddress AsAddress() => Value.Length is 4 or 16
        ? new System.Net.IPAddress(Value)
        : throw new NetlinkFormatException($"attribute {Type}: {Value.Length} bytes is no address");

    /// <summary>The value, when it is at least <paramref name="bytes"/> long: a shorter one is a malformed message.</summary>
    public ReadOnlySpan<byte> Sized(int bytes) => Value.Length >= bytes
        ? Value
        : throw new NetlinkFormatException($"attribute {Type}: {Value.Length} bytes where {bytes} are needed");

    /// <summary>A NUL-terminated string.</summary>
    public string AsString()
    {
        var end = Value.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? Value : Value[..end]);
    }

    public NetlinkAttributeReader Nested() => new(Value);
}

/// <summary>Walks attributes; stops (returns false) at the end or at a malformed length, never throws.</summary>
public ref struct NetlinkAttributeReader(ReadOnlySpan<byte> buffer)
{
    private ReadOnlySpan<byte> _rest = buffer;

    public bool TryRead(out NetlinkAttribute attribute)
    {
        attribute = default;
        if (_rest.Length < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        if (length < 4 || length > _rest.Length)
        {
            return false;
        }
        attribute = new NetlinkAttribute(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]), _rest[4..length]);
        _rest = _rest[Math.Min(_rest.Length, NetlinkHeader.Align(length))..];
        return true;
    }
}

/// <summary>Builds one request: header, fixed family header, attributes (nested ones too).</summary>
public sealed class NetlinkMessageWriter
{
    private readonly byte[] _buffer;
    private readonly Stack<int> _nests = new();
    private int _length = NetlinkHeader.Size;

    public NetlinkMessageWriter(int capacity = 4096) => _buffer = new byte[capacity];

    /// <summary>Appends raw bytes (a family header such as struct ifaddrmsg), padded to 4.</summary>
    public NetlinkMessageWriter Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length = NetlinkHeader.Align(_length + bytes.Length);
        return this;
    }

    public NetlinkMessageWriter Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var span = _buffer.AsSpan(_length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
        _buffer.AsSpan(_length + 4 + value.Length, NetlinkHeader.Align(4 + value.Length) - 4 - value.Length).Clear();
        _length += NetlinkHeader.Align(4 + value.Length);
        return this;
    }

    public NetlinkMessageWriter Attribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    /// <summary>A u16 attribute (host order); named apart so a ushort never silently widens to the u32 overload.</summary>
    public NetlinkMessageWriter AttributeUInt16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute.</summary>
    public NetlinkMessageWriter Attribute(ushort type, string value)
    {
        Span<byte> bytes = stackalloc byte[Encoding.ASCII.GetByteCount(value) + 1];
        Encoding.ASCII.GetBytes(value, bytes);
        bytes[^1] = 0;
        return Attribute(type, bytes);
    }

    public NetlinkMessageWriter BeginNested(ushort type)
    {
        _nests.Push(_length);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length + 2), (ushort)(type | 0x8000)); // NLA_F_NESTED
        _length += 4;
        return this;
    }

    public NetlinkMessageWriter EndNested()
    {
        var start = _nests.Pop();
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    /// <summary>Writes the header last, now that the length is known.</summary>
    public ReadOnlyMemory<byte> Finish(ushort type, NetlinkFlags flags, uint sequence)
    {
        new NetlinkHeader((uint)_length, type, flags, sequence, 0).Write(_buffer);
        return _buffer.AsMemory(0, _length);
    }
}

/// <summary>
/// A message whose attribute is shorter than its type needs (found by fuzzing the decoders): the decoders' Try methods
/// catch it and refuse the message, so that a malformed message never escapes as an exception.
/// </summary>
public sealed class NetlinkFormatException(string message) : Exception(message);
