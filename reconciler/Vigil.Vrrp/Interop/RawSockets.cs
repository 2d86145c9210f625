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

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);
}
