using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Vrrp.Engine;

/// <summary>Turns an instance's VIPs (and excluded addresses) into kernel addresses on this node's interfaces.</summary>
public static class VirtualAddresses
{
    /// <summary>Every address the instance owns as master; throws naming the device when one does not exist.</summary>
    public static IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance, IReadOnlyList<NetworkLink> links) =>
        [.. instance.VirtualAddresses.Concat(instance.ExcludedAddresses).Select(spec => Resolve(instance, spec, links))];

    private static InterfaceAddress Resolve(NodeVrrpInstance instance, VirtualAddressSpec spec, IReadOnlyList<NetworkLink> links)
    {
        var device = spec.Dev ?? instance.Interface;
        var link = links.FirstOrDefault(l => l.Name == device)
            ?? throw new InvalidOperationException($"instance {instance.Name}: interface {device} for {spec.Address} does not exist on this node");
        return new InterfaceAddress(link.Index, spec.Address.Address, spec.Address.PrefixLength, Scope(spec.Scope), spec.Label);
    }

    /// <summary>RT_SCOPE_* values (linux/rtnetlink.h).</summary>
    private static byte Scope(AddressScope? scope) => scope switch
    {
        AddressScope.Site => 200,
        AddressScope.Link => 253,
        AddressScope.Host => 254,
        _ => 0,
    };
}
