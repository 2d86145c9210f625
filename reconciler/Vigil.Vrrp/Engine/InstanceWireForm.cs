using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>How an instance's definition shows on the wire: the adverts it sends, what it expects of others', its machine's settings.</summary>
public static class InstanceWireForm
{
    /// <summary>RFC 5798 section 5.1.2.2: the IPv6 multicast group for VRRP.</summary>
    private static readonly IPAddress Ipv6MulticastGroup = IPAddress.Parse("ff02::12");

    public static VrrpAdvertisement AdvertisementOf(NodeVrrpInstance instance, int priority) => new()
    {
        Version = (byte)instance.Version,
        VirtualRouterId = (byte)instance.VirtualRouterId,
        Priority = (byte)priority,
        AdvertisementInterval = IntervalField(instance),
        IpAddresses = [.. instance.VirtualAddresses.Select(a => a.Address.Address)],
        AuthType = AuthTypeOf(instance),
        AuthenticationData = AuthenticationOf(instance),
    };

    public static VrrpMachineSettings SettingsOf(NodeVrrpInstance instance, IPAddress primaryAddress) => new()
    {
        Version = instance.Version,
        Priority = instance.Priority,
        AdvertisementInterval = instance.AdvertInterval,
        Preempt = instance.Preempt,
        PreemptDelay = instance.PreemptDelay,
        AnswerLowerPriority = instance.AnswerLowerPriority,
        PrimaryAddress = primaryAddress,
    };

    public static InstanceExpectation ExpectationOf(NodeVrrpInstance instance, IPAddress ownAddress) => new(
        (byte)instance.Version, (byte)instance.VirtualRouterId, IntervalField(instance), AuthTypeOf(instance), AuthenticationOf(instance), [ownAddress])
    {
        VirtualAddresses = [.. instance.VirtualAddresses.Select(a => a.Address.Address)],
        DropOtherAddressLists = instance.VerifyAddressList,
    };

    public static IPAddress MulticastGroup(IpFamily family) => family == IpFamily.IPv6 ? Ipv6MulticastGroup : Ipv4VrrpSocket.MulticastGroup;

    /// <summary>Adver Int in seconds for v2, Max Adver Int in centiseconds for v3.</summary>
    private static ushort IntervalField(NodeVrrpInstance instance) => instance.Version == 2
        ? (ushort)instance.AdvertInterval.TotalSeconds
        : (ushort)(instance.AdvertInterval.TotalMilliseconds / 10);

    /// <summary>v3 has no authentication (RFC 5798 section 9); keepalived drops it there too.</summary>
    private static VrrpAuthType AuthTypeOf(NodeVrrpInstance instance) =>
        instance.Version == 2 && instance.Authentication is not null ? VrrpAuthType.SimpleText : VrrpAuthType.NoAuthentication;

    private static ReadOnlyMemory<byte> AuthenticationOf(NodeVrrpInstance instance) =>
        AuthTypeOf(instance) == VrrpAuthType.SimpleText ? VrrpCodec.SimpleTextAuthentication(instance.Authentication!.Password) : ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Whether two definitions send and expect the same adverts (the planner's <see cref="RolloutOrder.WireChange"/>:
    /// version, VRID, transport, v2's interval and authentication; and the address list): if not, a peer running the
    /// other one is heard only within a rollout window.
    /// </summary>
    public static bool SameOnTheWire(NodeVrrpInstance a, NodeVrrpInstance b) =>
        RolloutOrder.WireChange(a, b) is null
        && a.VirtualAddresses.Select(v => v.Address.Address).SequenceEqual(b.VirtualAddresses.Select(v => v.Address.Address))
        && a.VerifyAddressList == b.VerifyAddressList;
}
