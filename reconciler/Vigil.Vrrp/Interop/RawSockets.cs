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

    public static Socket Open(AddressFamily family, int protocol)
    {
        var fd = Socket(family == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet, SockRaw | SockCloexec, protocol);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);
}
