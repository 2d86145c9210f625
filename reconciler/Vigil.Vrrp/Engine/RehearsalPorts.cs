using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>Ports that accept everything and send nothing, for <see cref="VirtualRouter.Rehearse"/>.</summary>
internal sealed class RehearsalPorts : IVrrpChannel, IAddressTable, IAnnouncer
{
    public static VirtualRouterPorts Create()
    {
        var ports = new RehearsalPorts();
        return new VirtualRouterPorts(ports, ports, ports);
    }

    public IPAddress SourceAddress => IPAddress.Loopback;

    public void Send(Protocol.VrrpAdvertisement advertisement, IPAddress destination)
    {
    }

    /// <summary>Nothing ever comes; a short sleep keeps the rehearsal's receive thread from spinning.</summary>
    public ReceivedAdvertisement? Receive(TimeSpan timeout)
    {
        Thread.Sleep(1);
        return null;
    }

    public bool Add(InterfaceAddress address) => true;

    public bool Delete(InterfaceAddress address) => true;

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
    }

    public void Dispose()
    {
    }
}
