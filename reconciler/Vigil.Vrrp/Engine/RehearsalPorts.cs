using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// Ports that accept everything and send nothing, for <see cref="VirtualRouter.Rehearse"/>: the channel delivers
/// one advert (the rehearsed master's priority-0 goodbye), then stays silent.
/// </summary>
internal sealed class RehearsalPorts(ReceivedAdvertisement goodbye) : IVrrpChannel, IAddressTable, IAnnouncer
{
    private int _delivered;

    public static VirtualRouterPorts Create(ReceivedAdvertisement goodbye)
    {
        var ports = new RehearsalPorts(goodbye);
        return new VirtualRouterPorts(ports, ports, ports);
    }

    public IPAddress SourceAddress => IPAddress.Loopback;

    public void Send(Protocol.VrrpAdvertisement advertisement, IPAddress destination)
    {
    }

    /// <summary>The goodbye once; then nothing, after a short sleep that keeps the receive thread from spinning.</summary>
    public ReceivedAdvertisement? Receive(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _delivered, 1) == 0)
        {
            return goodbye;
        }
        Thread.Sleep(1);
        return null;
    }

    public void Ignore(Protocol.LowerPriorityFilter filter)
    {
    }

    public bool Add(InterfaceAddress address) => true;

    /// <summary>Nothing to remove: no stale VIPs to report at the rehearsal's start.</summary>
    public bool Delete(InterfaceAddress address) => false;

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
    }

    public void Dispose()
    {
    }
}
