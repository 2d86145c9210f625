using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Transport;

namespace Vigil.Agent;

/// <summary>The real edges: raw VRRP sockets, rtnetlink for addresses and links, libpcap for announcements.</summary>
public sealed class KernelPorts(RtnetlinkClient rtnetlink, Serilog.ILogger log) : IVirtualRouterPorts
{
    // One pacer per garp group that has paced anything, for the agent's life (a revision changes its intervals).
    private readonly Dictionary<string, AnnouncementPacer> _pacers = [];
    private AnnouncementPacing _pacing = new();

    public IReadOnlyList<NetworkLink> Links() => rtnetlink.Links();

    public IReadOnlyList<InterfaceAddress> Addresses() => rtnetlink.Addresses();

    /// <summary>With a virtual MAC, VIPs without their own device go on the macvlan (which <see cref="Open"/> makes).</summary>
    public IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance) =>
        VirtualAddresses.Resolve(instance, rtnetlink.Links(), instance.UseVirtualMac ? VirtualMac.InterfaceNameOf(instance) : null);

    public VirtualRouterPorts Open(NodeVrrpInstance instance, bool joinGroup = false)
    {
        var link = rtnetlink.Link(instance.Interface)
            ?? throw new InvalidOperationException($"instance {instance.Name}: interface {instance.Interface} does not exist on this node");
        // RFC 5798 section 5.1.2.1: over IPv6 multicast the source is the interface's link-local address.
        var source = instance.Family == IpFamily.IPv6 && instance.Transport == VrrpTransport.Multicast
            ? FirstAddress(instance, link)
            : instance.SourceAddress ?? FirstAddress(instance, link);
        // With a virtual MAC, adverts and announcements leave through the macvlan, so they carry the virtual MAC (the
        // source address stays the parent's, as keepalived sends them).
        var vmac = instance.UseVirtualMac ? VirtualMacLink.Open(rtnetlink, instance, link, source, log) : null;
        var wire = vmac?.Link ?? link;
        IVrrpChannel? channel = null;
        try
        {
            var multicast = instance.Transport == VrrpTransport.Multicast;
            var ttl = (byte)(instance.UnicastTtl ?? Vrrp.Protocol.Ipv4Header.VrrpTimeToLive);
            // A unicast instance that joins for a rollout keeps its own TTL rule (none) for what it receives.
            channel = instance.Family == IpFamily.IPv6
                ? new Ipv6VrrpSocket(wire.Name, wire.Index, source, multicast || joinGroup, ttl, checkTtl: multicast)
                : new Ipv4VrrpSocket(wire.Name, wire.Index, source, multicast || joinGroup, ttl, checkTtl: multicast);
            // Paced by the instance's own interface, not the macvlan: keepalived paces the physical interface.
            var announcer = new PacedAnnouncer(new PcapAnnouncer(wire.Name, wire.HardwareAddress ?? PhysicalAddress.None), () => PacerFor(link.Name));
            return new VirtualRouterPorts(channel, rtnetlink, announcer, vmac);
        }
        catch
        {
            channel?.Dispose();
            vmac?.Dispose();
            throw;
        }
    }

    public void Pace(AnnouncementPacing pacing)
    {
        lock (_pacers)
        {
            _pacing = pacing;
        }
    }

    /// <summary>The pacer of the interface's group, at the revision's intervals; null while nothing paces it.</summary>
    private AnnouncementPacer? PacerFor(string interfaceName)
    {
        lock (_pacers)
        {
            var (group, garp, gna) = _pacing.For(interfaceName);
            if (garp <= TimeSpan.Zero && gna <= TimeSpan.Zero)
            {
                return null;
            }
            if (!_pacers.TryGetValue(group, out var pacer))
            {
                _pacers[group] = pacer = new AnnouncementPacer(group, TimeProvider.System, log);
            }
            pacer.Pace(garp, gna);
            return pacer;
        }
    }

    /// <summary>Without a configured address, the interface's first of the family (keepalived's primary address).</summary>
    private IPAddress FirstAddress(NodeVrrpInstance instance, NetworkLink link)
    {
        var family = instance.Family == IpFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return rtnetlink.Addresses().FirstOrDefault(a => a.InterfaceIndex == link.Index && a.Address.AddressFamily == family
                && (family == AddressFamily.InterNetwork || a.Address.IsIPv6LinkLocal))?.Address
            ?? throw new InvalidOperationException($"instance {instance.Name}: interface {link.Name} has no {instance.Family} address to send from");
    }
}
