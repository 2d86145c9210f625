using System.Net;
using Vigil.Core.Desired;

namespace Vigil.Core.Observed;

/// <summary>An address the kernel holds on an interface; <see cref="AddedWhileRunning"/> when the agent saw someone else add it.</summary>
public sealed record ObservedAddress(string Interface, IpPrefix Address, bool AddedWhileRunning = false);

/// <summary>Another router heard on an instance's VRID, with what it sent since the previous check.</summary>
public sealed record ObservedRouter(IPAddress Address, int Priority, long AdvertsSinceLastCheck, long WhileMasterSinceLastCheck);

/// <summary>A running VRRP instance as the engine reports it.</summary>
public sealed record ObservedInstance(string Name, string State, IPAddress? MasterSeen, IReadOnlyList<ObservedRouter> Routers)
{
    /// <summary>Adverts since the last check whose address list differed from the instance's, and how the last one did.</summary>
    public long AddressListMismatchesSinceLastCheck { get; init; }

    public string? LastAddressListMismatch { get; init; }

    public bool IsMaster => State == "Master";
}
