using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>Opens what an instance needs on this node: the kernel in production, recorders in tests.</summary>
public interface IVirtualRouterPorts
{
    /// <summary>The VIPs as kernel addresses; throws naming the missing interface.</summary>
    IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance);

    /// <param name="joinGroup">
    /// Join VRRP's multicast group even for a unicast instance: within a rollout window from multicast, a peer that has not
    /// applied the change yet still advertises to the group.
    /// </param>
    VirtualRouterPorts Open(NodeVrrpInstance instance, bool joinGroup = false);

    /// <summary>The kernel's addresses now: a restarted agent resumes as master only when its VIPs are still there.</summary>
    IReadOnlyList<InterfaceAddress> Addresses();

    /// <summary>The links now, for trackInterfaces.</summary>
    IReadOnlyList<NetworkLink> Links();

    /// <summary>How announcements are paced from now on, each revision's (garp groups, default intervals).</summary>
    void Pace(AnnouncementPacing pacing)
    {
    }
}
