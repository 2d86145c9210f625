using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Interop;

/// <summary>
/// recvmsg(2) for IPv6 raw sockets: an IPv6 raw socket delivers no IP header, so the hop limit and the
/// destination come as ancillary data (IPV6_HOPLIMIT, IPV6_PKTINFO). .NET exposes the destination but not
/// the hop limit, which VRRP must check (RFC 5798 section 7.1).
/// </summary>
internal static unsafe partial class ReceiveMessage
{
    public const int IpProtoIpv6 = 41;
    public const int Ipv6RecvPacketInfo = 49;
    public const int Ipv6RecvHopLimit = 51;
    private const int Ipv6PacketInfo = 50;
    private const int Ipv6HopLimit = 52;
    private const int SockaddrIn6Length = 28;
    private const int ControlLength = 128;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>One datagram: payload length, source, destination and hop limit (-1 when the kernel gave none).</summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, out IPAddress source, out IPAddress destination, out int hopLimit)
    {
        Span<byte> name = stackalloc byte[SockaddrIn6Length];
        Span<byte> control = stackalloc byte[ControlLength];
        long received;
        var header = default(MessageHeader);
        fixed (byte* data = buffer)
        fixed (byte* namePointer = name)
        fixed (byte* controlPointer = control)
        {
            var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
            header.Name = namePointer;
            header.NameLength = SockaddrIn6Length;
            header.Vectors = &vector;
            header.VectorCount = 1;
            header.Control = controlPointer;
            header.ControlLength = ControlLength;
            received = RecvMsg(socket, ref header, 0);
        }
        if (received < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        source = new IPAddress(name.Slice(8, 16));
        destination = IPAddress.IPv6Any;
        hopLimit = -1;
        // struct cmsghdr: size_t len, int level, int type, then data, each aligned to 8 bytes.
        var rest = control[..(int)header.ControlLength];
        while (rest.Length >= 16)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(rest);
            if (length < 16 || length > rest.Length)
            {
                break;
            }
            var level = BinaryPrimitives.ReadInt32LittleEndian(rest[8..]);
            var type = BinaryPrimitives.ReadInt32LittleEndian(rest[12..]);
            var value = rest[16..length];
            if (level == IpProtoIpv6 && type == Ipv6HopLimit && value.Length >= 4)
            {
                hopLimit = BinaryPrimitives.ReadInt32LittleEndian(value);
            }
            else if (level == IpProtoIpv6 && type == Ipv6PacketInfo && value.Length >= 16)
            {
                destination = new IPAddress(value[..16]);
            }
            rest = rest[Math.Min(rest.Length, (length + 7) & ~7)..];
        }
        return (int)received;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial long RecvMsg(SafeHandle socket, ref MessageHeader message, int flags);
}
