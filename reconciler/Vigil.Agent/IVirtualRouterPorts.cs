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

    /// <summary>The kernel's addresses now: a restarted agent resumes as master only when its VIPs are still there.</summary>
    IReadOnlyList<InterfaceAddress> Addresses();

    /// <summary>The links now, for trackInterfaces.</summary>
    IReadOnlyList<NetworkLink> Links();

    /// <summary>How announcements are paced from now on, each revision's (garp groups, default intervals).</summary>
    void Pace(AnnouncementPacing pacing)
    {
    }
}
