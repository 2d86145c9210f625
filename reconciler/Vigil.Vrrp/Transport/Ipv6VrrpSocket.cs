using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Vigil.Core.Wire;
using Vigil.Vrrp.Interop;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// A raw IPv6 socket for next header 112 on one interface (VRRPv3 only): sends from the link-local address
/// with hop limit 255 (or a unicast instance's own) and traffic class 0xc0, joins ff02::12 for multicast, and reads
/// the received hop limit from ancillary data so that a multicast instance drops and counts packets from off the link.
/// </summary>
public sealed class Ipv6VrrpSocket : IVrrpChannel
{
    /// <summary>RFC 5798 section 5.1.2.2: the IPv6 multicast group for VRRP.</summary>
    public static readonly IPAddress MulticastGroup = IPAddress.Parse("ff02::12");

    private const int Ipv6UnicastHops = 16;
    private const int Ipv6MulticastHops = 18;
    private const int Ipv6TrafficClass = 67;

    // Two sockets, as for IPv4: the sending one bound to our address pins the source the checksum covers; a raw
    // socket bound to an address would receive only datagrams sent to it, so the receiving one is not bound.
    private readonly Socket _out;
    private readonly Socket _in;
    private readonly byte[] _send = new byte[1500];
    private SafeHandle _sendHandle = Interop.SendDatagram.Nowhere;
    private bool _filtered;
    private readonly byte[] _receive = new byte[65535];
    private readonly int _interfaceIndex;
    private readonly bool _checkHopLimit;

    /// <param name="joinMulticast">A multicast instance: joins the group and takes only adverts with hop limit 255.</param>
    /// <param name="unicastTtl">The hop limit of adverts sent to a unicast peer (keepalived's unicast_ttl).</param>
    /// <param name="checkTtl">
    /// Whether received adverts must have hop limit 255: by default a multicast instance's only. keepalived checks no
    /// unicast advert, and sends its own IPv6 unicast adverts with the interface's default hop limit (64) unless
    /// unicast_ttl is set: a Vigil backup checking them took over from a keepalived master.
    /// </param>
    public Ipv6VrrpSocket(string interfaceName, int interfaceIndex, IPAddress sourceAddress, bool joinMulticast,
        byte unicastTtl = Ipv4Header.VrrpTimeToLive, bool? checkTtl = null)
    {
        _interfaceIndex = interfaceIndex;
        _checkHopLimit = checkTtl ?? joinMulticast;
        _out = RawSockets.OpenOnDevice(AddressFamily.InterNetworkV6, InternetChecksum.VrrpProtocol, interfaceName);
        _in = RawSockets.OpenOnDevice(AddressFamily.InterNetworkV6, InternetChecksum.VrrpProtocol, interfaceName);
        try
        {
            var ipv6 = ReceiveMessage.IpProtoIpv6;
            RawSockets.ReceiveNothing(_out);
            _out.Bind(new IPEndPoint(Scoped(sourceAddress), 0));
            _out.SetRawSocketOption(ipv6, Ipv6UnicastHops, BitConverter.GetBytes((int)unicastTtl));
            _out.SetRawSocketOption(ipv6, Ipv6MulticastHops, BitConverter.GetBytes(255));
            _out.SetRawSocketOption(ipv6, Ipv6TrafficClass, BitConverter.GetBytes((int)Ipv4Header.VrrpTypeOfService));
            _out.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            _out.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, interfaceIndex);
            _in.SetRawSocketOption(ipv6, ReceiveMessage.Ipv6RecvHopLimit, BitConverter.GetBytes(1));
            _in.SetRawSocketOption(ipv6, ReceiveMessage.Ipv6RecvPacketInfo, BitConverter.GetBytes(1));
            if (joinMulticast)
            {
                _in.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(MulticastGroup, interfaceIndex));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        SourceAddress = sourceAddress;
        DrySend.Run(() => Send(DrySend.Advertisement, MulticastGroup));
        _sendHandle = _out.SafeHandle;
    }

    /// <summary>Link-local and link-scope multicast addresses need the interface as scope.</summary>
    private IPAddress Scoped(IPAddress address) => address.IsIPv6LinkLocal || address.IsIPv6Multicast
        ? new IPAddress(address.GetAddressBytes(), _interfaceIndex)
        : address;

    public IPAddress SourceAddress { get; }

    public void Send(VrrpAdvertisement advertisement, IPAddress destination)
    {
        // The checksum covers the pseudo-header with the link-local source the kernel will use (we pin it here).
        var length = VrrpCodec.Encode(advertisement, SourceAddress, destination, _send);
        Interop.SendDatagram.To(_sendHandle, _send.AsSpan(0, length), Scoped(destination));
    }

    public ReceivedAdvertisement? Receive(TimeSpan timeout)
    {
        if (!_in.Poll(timeout, SelectMode.SelectRead))
        {
            return null;
        }
        var length = ReceiveMessage.Receive(_in.SafeHandle, _receive, out var source, out var destination, out var hopLimit);
        if (_checkHopLimit && hopLimit != Ipv4Header.VrrpTimeToLive)
        {
            return new ReceivedAdvertisement(VrrpRejection.TtlNot255, source, destination, null) { HopLimit = hopLimit };
        }
        var verdict = VrrpCodec.TryDecode(_receive.AsSpan(0, length), source, destination, out var advertisement);
        return new ReceivedAdvertisement(verdict, source, destination, advertisement) { HopLimit = hopLimit };
    }

    /// <summary>Raw IPv6 sockets deliver the payload alone.</summary>
    public void Ignore(LowerPriorityFilter filter) =>
        _filtered = Interop.RawSockets.Apply(_in, filter, startsWithIpv4Header: false, _filtered);

    public void Dispose()
    {
        _out.Dispose();
        _in.Dispose();
    }
}
