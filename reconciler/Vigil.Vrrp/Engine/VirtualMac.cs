using System.Net.NetworkInformation;
using Vigil.Core.Desired;

namespace Vigil.Vrrp.Engine;

/// <summary>The virtual MAC of an instance with useVirtualMac, and the macvlan that carries it (keepalived's use_vmac).</summary>
public static class VirtualMac
{
    /// <summary>RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6.</summary>
    public static PhysicalAddress AddressOf(NodeVrrpInstance instance) =>
        new([0x00, 0x00, 0x5e, 0x00, instance.Family == IpFamily.IPv6 ? (byte)0x02 : (byte)0x01, (byte)instance.VirtualRouterId]);

    /// <summary>keepalived's default names, so operators find the interface they know: vrrp.{VRID}, vrrp6.{VRID}.</summary>
    public static string InterfaceNameOf(NodeVrrpInstance instance) =>
        $"{(instance.Family == IpFamily.IPv6 ? "vrrp6" : "vrrp")}.{instance.VirtualRouterId}";
}
