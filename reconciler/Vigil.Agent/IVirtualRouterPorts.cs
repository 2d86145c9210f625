using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>Opens what an instance needs on this node: the kernel in production, recorders in tests.</summary>
public interface IVirtualRouterPorts
{
    /// <summary>The VIPs as kernel addresses; throws naming the missing interface.</summary>
    IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance);

    VirtualRouterPorts Open(NodeVrrpInstance instance);

    /// <summary>The links now, for trackInterfaces.</summary>
    IReadOnlyList<NetworkLink> Links();
}
