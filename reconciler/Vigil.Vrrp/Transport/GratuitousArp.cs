using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// The gratuitous ARP a new master broadcasts for each IPv4 VIP, as keepalived sends it: an ARP request
/// with sender IP = target IP = the VIP, target MAC ff:ff:ff:ff:ff:ff, from the interface's MAC
/// (or the virtual MAC with useVirtualMac), to the Ethernet broadcast address.
/// </summary>
public static class GratuitousArp
{
    private static readonly PhysicalAddress Broadcast = PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF");

    public static byte[] Build(PhysicalAddress source, IPAddress virtualAddress)
    {
        var arp = new ArpPacket(ArpOperation.Request, Broadcast, virtualAddress, source, virtualAddress);
        var ethernet = new EthernetPacket(source, Broadcast, EthernetType.Arp) { PayloadPacket = arp };
        return ethernet.Bytes;
    }
}
