using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Interop;

/// <summary>
/// sendto(2) straight to libc: a takeover's first advert is timed against the RFC bound, and the first send
/// through System.Net.Sockets was measured at ~1 ms (its managed path runs for the first time then, as a backup
/// sends nothing). Each socket runs its send path once against <see cref="Nowhere"/> when it opens.
/// </summary>
internal static unsafe partial class SendDatagram
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int Eintr = 4;
    private const int SockaddrInLength = 16;
    private const int SockaddrIn6Length = 28;

    /// <summary>Sends <paramref name="datagram"/> to <paramref name="destination"/> (port 0; the scope id for link-local IPv6).</summary>
    public static void To(SafeHandle socket, ReadOnlySpan<byte> datagram, IPAddress destination)
    {
        Span<byte> name = stackalloc byte[SockaddrIn6Length];
        var length = Write(destination, name);
        while (true)
        {
            long sent;
            fixed (byte* data = datagram)
            fixed (byte* namePointer = name)
            {
                sent = SendTo(socket, data, (nuint)datagram.Length, 0, namePointer, length);
            }
            if (sent >= 0)
            {
                return;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw new SocketException(errno);
            }
        }
    }

    /// <summary>
    /// A descriptor no process has: a send to it fails with EBADF at once. A socket sends through it once when it
    /// opens, so that its send path is bound and compiled before the takeover that first needs it.
    /// </summary>
    public static readonly SafeHandle Nowhere = new SafeSocketHandle(int.MaxValue, ownsHandle: false);

    /// <summary>struct sockaddr_in / sockaddr_in6, family in host order, port 0.</summary>
    private static int Write(IPAddress destination, Span<byte> name)
    {
        name.Clear();
        if (destination.AddressFamily == AddressFamily.InterNetworkV6)
        {
            MemoryMarshal.Write(name, (ushort)AfInet6);
            destination.TryWriteBytes(name[8..24], out _);
            MemoryMarshal.Write(name[24..], (uint)destination.ScopeId);
            return SockaddrIn6Length;
        }
        MemoryMarshal.Write(name, (ushort)AfInet);
        destination.TryWriteBytes(name[4..8], out _);
        return SockaddrInLength;
    }

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial long SendTo(SafeHandle socket, byte* data, nuint length, int flags, byte* name, int nameLength);
}
