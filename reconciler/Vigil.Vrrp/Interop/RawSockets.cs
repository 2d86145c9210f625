using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Interop;

/// <summary>
/// System.Net.Sockets refuses IP protocol numbers it has no name for (VRRP is 112: "Protocol not
/// supported"), so the descriptor is made with libc and handed to a Socket, which then works as usual.
/// </summary>
internal static partial class RawSockets
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int SoAttachFilter = 26;
    private const int SoDetachFilter = 27;

    /// <summary>A raw socket for <paramref name="protocol"/> that sends and receives on one interface only.</summary>
    public static Socket OpenOnDevice(AddressFamily family, int protocol, string interfaceName)
    {
        var fd = Socket(family == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet, SockRaw | SockCloexec, protocol);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(interfaceName + "\0"));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts a classic BPF program (struct sock_filter[], see <see cref="Protocol.LowerPriorityFilter"/>) on the socket,
    /// replacing the one before in one step; the kernel copies it, so it need only stay put for the call.
    /// </summary>
    public static unsafe void AttachFilter(Socket socket, byte[] program)
    {
        fixed (byte* instructions = program)
        {
            // struct sock_fprog: unsigned short len, then (aligned) the pointer to the instructions.
            Span<byte> header = stackalloc byte[2 * sizeof(nint)];
            header.Clear();
            MemoryMarshal.Write(header, (ushort)(program.Length / Protocol.LowerPriorityFilter.InstructionLength));
            MemoryMarshal.Write(header[sizeof(nint)..], (nint)instructions);
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, header);
        }
    }

    /// <summary>
    /// A sending socket is never read, but a raw socket gets a copy of every packet of its protocol: one program
    /// (BPF_RET 0) keeps a flood from being copied into a queue nobody empties.
    /// </summary>
    public static void ReceiveNothing(Socket socket) => AttachFilter(socket, [0x06, 0, 0, 0, 0, 0, 0, 0]);

    /// <summary>Puts <paramref name="filter"/>'s program on the socket, or takes it off when it drops nothing; returns whether one is on.</summary>
    public static bool Apply(Socket socket, Protocol.LowerPriorityFilter filter, bool startsWithIpv4Header, bool attached)
    {
        if (filter.DropsAny)
        {
            AttachFilter(socket, filter.Program(startsWithIpv4Header));
            return true;
        }
        if (attached)
        {
            DetachFilter(socket);
        }
        return false;
    }

    /// <summary>Takes the socket's filter off (the kernel answers ENOENT when it has none: call it only after an attach).</summary>
    public static void DetachFilter(Socket socket) => socket.SetRawSocketOption(SolSocket, SoDetachFilter, BitConverter.GetBytes(0));

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);
}
