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
    public IReadOnlyList<NetworkLink> Links() => rtnetlink.Links();

    public IReadOnlyList<InterfaceAddress> Addresses() => rtnetlink.Addresses();

    /// <summary>With a virtual MAC, VIPs without their own device go on the macvlan (which <see cref="Open"/> makes).</summary>
    public IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance) =>
        VirtualAddresses.Resolve(instance, rtnetlink.Links(), instance.UseVirtualMac ? VirtualMac.InterfaceNameOf(instance) : null);

    public VirtualRouterPorts Open(NodeVrrpInstance instance)
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
            channel = instance.Family == IpFamily.IPv6
                ? new Ipv6VrrpSocket(wire.Name, wire.Index, source, multicast, ttl)
                : new Ipv4VrrpSocket(wire.Name, wire.Index, source, multicast, ttl);
            return new VirtualRouterPorts(channel, rtnetlink, new PcapAnnouncer(wire.Name, wire.HardwareAddress ?? PhysicalAddress.None), vmac);
        }
        catch
        {
            channel?.Dispose();
            vmac?.Dispose();
            throw;
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
