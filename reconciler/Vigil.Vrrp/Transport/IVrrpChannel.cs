using System.Net;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Transport;

/// <summary>Where an instance's adverts go out and come in: raw sockets in production, a recorder in tests.</summary>
public interface IVrrpChannel : IDisposable
{
    IPAddress SourceAddress { get; }

    void Send(VrrpAdvertisement advertisement, IPAddress destination);

    /// <summary>Waits up to <paramref name="timeout"/> for one datagram; null when none came. Never throws on bad packets.</summary>
    ReceivedAdvertisement? Receive(TimeSpan timeout);

    /// <summary>From now on, adverts the filter matches need not be received at all (the kernel drops them).</summary>
    void Ignore(LowerPriorityFilter filter);
}

/// <summary>One received datagram: the codec's verdict, its addresses and the advert when it decoded.</summary>
public sealed record ReceivedAdvertisement(VrrpRejection Verdict, IPAddress Source, IPAddress Destination, VrrpAdvertisement? Advertisement)
{
    /// <summary>The IPv4 header as received (TTL, TOS, DF), for IPv4 channels.</summary>
    public Ipv4Header? Ipv4Header { get; init; }

    /// <summary>The hop limit as received, for IPv6 channels (-1 when the kernel gave none).</summary>
    public int HopLimit { get; init; } = -1;
}
