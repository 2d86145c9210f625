using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Vrrp.Engine;

/// <summary>Turns an instance's VIPs (and excluded addresses) into kernel addresses on this node's interfaces.</summary>
public static class VirtualAddresses
{
    /// <summary>
    /// Every address the instance owns as master, on its own device or else on <paramref name="device"/> (the virtual
    /// MAC's macvlan) or the instance's interface; throws naming the device when one does not exist.
    /// An address listed twice is held once, as the first entry says: the kernel keeps one address per device and prefix
    /// (a second add is EEXIST), whatever label the second entry asks for.
    /// </summary>
    public static IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance, IReadOnlyList<NetworkLink> links, string? device = null) =>
        [.. instance.VirtualAddresses.Concat(instance.ExcludedAddresses)
            .Select(spec => Resolve(instance, spec, links, device ?? instance.Interface))
            .DistinctBy(address => (address.InterfaceIndex, address.Address, address.PrefixLength))];

    private static InterfaceAddress Resolve(NodeVrrpInstance instance, VirtualAddressSpec spec, IReadOnlyList<NetworkLink> links, string instanceDevice)
    {
        var device = spec.Dev ?? instanceDevice;
        var link = links.FirstOrDefault(l => l.Name == device)
            ?? throw new InvalidOperationException($"instance {instance.Name}: interface {device} for {spec.Address} does not exist on this node");
        return On(link, spec);
    }

    /// <summary>The kernel address <paramref name="spec"/> asks for on <paramref name="link"/>: its prefix, scope and label.</summary>
    public static InterfaceAddress On(NetworkLink link, VirtualAddressSpec spec) =>
        new(link.Index, spec.Address.Address, spec.Address.PrefixLength, Scope(spec.Scope), spec.Label);

    /// <summary>RT_SCOPE_* values (linux/rtnetlink.h), for addresses and routes alike; global when not set.</summary>
    public static byte Scope(AddressScope? scope) => scope switch
    {
        AddressScope.Site => 200,
        AddressScope.Link => 253,
        AddressScope.Host => 254,
        _ => 0,
    };
}
