using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// The I/O an instance needs, owned (and disposed) by its <see cref="VirtualRouter"/>; <paramref name="Link"/> is an
/// interface made for the instance (its virtual MAC), removed last.
/// </summary>
public sealed record VirtualRouterPorts(IVrrpChannel Channel, IAddressTable Addresses, IAnnouncer Announcer, IDisposable? Link = null) : IDisposable
{
    /// <summary>Closes the sockets, then removes the link. The address table is shared by every instance: not ours to close.</summary>
    public void Dispose()
    {
        Channel.Dispose();
        Announcer.Dispose();
        Link?.Dispose();
    }
}

/// <summary>A transition, as reported to the agent (logs, status, notifications).</summary>
public sealed record StateTransition(string Instance, VrrpState From, VrrpState To, string Reason, int Priority, DateTimeOffset At);

/// <summary>What `vigil status` shows for one instance.</summary>
public sealed record VirtualRouterStatus(
    string Name,
    VrrpState State,
    int Priority,
    IPAddress? MasterSeen,
    DateTimeOffset Since,
    string Reason,
    long AdvertisementsSent,
    long AdvertisementsReceived,
    long BecameMaster,
    IReadOnlyDictionary<VrrpRejection, long> Dropped)
{
    /// <summary>The other routers heard on the VRID (for the drift report: foreign speakers, two masters).</summary>
    public IReadOnlyList<RouterSighting> Routers { get; init; } = [];

    /// <summary>Where the instance speaks: a restarted agent listens there before it decides to resume as master.</summary>
    public string Interface { get; init; } = "";

    public int VirtualRouterId { get; init; }

    public bool Ipv6 { get; init; }

    /// <summary>
    /// Adverts accepted whose address list differs from this instance's (RFC 3768 7.1 and RFC 5798 7.1: the receiver
    /// SHOULD log it): a half-done rollout where a VIP is served by nobody. <see cref="LastAddressListMismatch"/> says how.
    /// </summary>
    public long AddressListMismatches { get; init; }

    public string? LastAddressListMismatch { get; init; }

    /// <summary>Adverts taken only because the instance's other revision has them so (a rollout under way).</summary>
    public long ToleratedAdverts { get; init; }

    /// <summary>Until when adverts of the instance's other revision are taken; null when no rollout window is open.</summary>
    public DateTimeOffset? ToleratingUntil { get; init; }

    /// <summary>
    /// Adverts of this VRID with 0 &lt; priority &lt; this are dropped by the kernel before they are counted or
    /// heard (a preempting backup discards them: see <see cref="LowerPriorityFilter"/>); 0 when none are.
    /// </summary>
    public int KernelDropsBelow { get; init; }
}
