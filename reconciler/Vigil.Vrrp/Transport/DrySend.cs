using System.Net.Sockets;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// A socket's first send, made when it opens against a descriptor no process has (<see cref="Interop.SendDatagram.Nowhere"/>),
/// so it fails with EBADF and nothing leaves the host. A backup sends nothing until it takes over, and the runtime
/// compiles a method on its first call: without this, that cost (~0.5 ms measured) lands on the takeover's first advert.
/// </summary>
internal static class DrySend
{
    public static readonly VrrpAdvertisement Advertisement = new()
    {
        Version = 3,
        VirtualRouterId = 1,
        Priority = 1,
        AdvertisementInterval = 100,
        IpAddresses = [],
    };

    public static void Run(Action send)
    {
        try
        {
            send();
        }
        catch (SocketException)
        {
            // EBADF, as intended.
        }
    }
}
