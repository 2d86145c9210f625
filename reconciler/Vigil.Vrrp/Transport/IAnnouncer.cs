using System.Net;

namespace Vigil.Vrrp.Transport;

/// <summary>Tells the segment that VIPs moved here: gratuitous ARP for IPv4, unsolicited neighbour advertisements for IPv6.</summary>
public interface IAnnouncer : IDisposable
{
    /// <summary>Sends one announcement per address, <paramref name="times"/> rounds.</summary>
    void Announce(IReadOnlyList<IPAddress> addresses, int times);
}
