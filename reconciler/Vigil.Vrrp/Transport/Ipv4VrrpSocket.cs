using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Core.Wire;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// Raw IPv4 sockets for IP protocol 112 on one interface: sends adverts with TTL 255 (or a unicast instance's own)
/// and TOS 0xc0 (RFC 5798 section 5.1.1.3, keepalived's TOS), joins 224.0.0.18 there for multicast, and hands received
/// datagrams (IP header included) to the codec. Parsing stays in <see cref="VrrpDatagram"/>.
/// </summary>
public sealed class Ipv4VrrpSocket : IVrrpChannel
{
    /// <summary>RFC 5798 section 5.1.1.2: the IPv4 multicast group for VRRP.</summary>
    public static readonly IPAddress MulticastGroup = IPAddress.Parse("224.0.0.18");

    private const int IpMtuDiscover = 10;
    private const int IpPmtuDiscDont = 0;

    // Two sockets, as keepalived has: a raw socket bound to an address receives only datagrams sent to that
    // address, so the receiving one is bound to the device alone (and joins the group), the sending one to our address.
    private readonly Socket _out;
    private readonly Socket? _in;
    private readonly byte[] _send = new byte[1500];
    private SafeHandle _sendHandle = Interop.SendDatagram.Nowhere;
    private bool _filtered;
    private readonly byte[] _receive = new byte[65535];
    private readonly RepeatedDatagram _repeated = new();
    private readonly bool _checkTtl;

    /// <summary>Opens the sockets; create them inside the node's network namespace (see Vigil.Netlink.NetworkNamespace).</summary>
    /// <param name="joinMulticast">A multicast instance: joins the group and takes only adverts with TTL 255.</param>
    /// <param name="unicastTtl">The TTL of adverts sent to a unicast peer (keepalived's unicast_ttl).</param>
    /// <param name="checkTtl">Whether received adverts must have TTL 255: by default a multicast instance's only (see <see cref="VrrpDatagram.TryDecodeIpv4"/>).</param>
    public Ipv4VrrpSocket(string interfaceName, int interfaceIndex, IPAddress sourceAddress, bool joinMulticast,
        byte unicastTtl = Ipv4Header.VrrpTimeToLive, bool? checkTtl = null)
    {
        _checkTtl = checkTtl ?? joinMulticast;
        _out = Interop.RawSockets.OpenOnDevice(AddressFamily.InterNetwork, InternetChecksum.VrrpProtocol, interfaceName);
        try
        {
            _in = Interop.RawSockets.OpenOnDevice(AddressFamily.InterNetwork, InternetChecksum.VrrpProtocol, interfaceName);
            Interop.RawSockets.ReceiveNothing(_out);
            _out.Bind(new IPEndPoint(sourceAddress, 0));
            _out.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, (int)unicastTtl);
            _out.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, Ipv4Header.VrrpTimeToLive);
            _out.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, Ipv4Header.VrrpTypeOfService);
            // DF clear, as keepalived sends (Linux sets DF on raw sockets for path-MTU discovery otherwise).
            _out.SetRawSocketOption((int)SocketOptionLevel.IP, IpMtuDiscover, BitConverter.GetBytes(IpPmtuDiscDont));
            _out.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            _out.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(interfaceIndex));
            if (joinMulticast)
            {
                _in.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(MulticastGroup, interfaceIndex));
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

    public IPAddress SourceAddress { get; }

    /// <summary>Sends one advert to the multicast group or a unicast peer; the kernel writes the IP header.</summary>
    public void Send(VrrpAdvertisement advertisement, IPAddress destination)
    {
        var length = VrrpCodec.Encode(advertisement, SourceAddress, destination, _send);
        Interop.SendDatagram.To(_sendHandle, _send.AsSpan(0, length), destination);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for one datagram; null when none came. Never throws on bad packets.</summary>
    public ReceivedAdvertisement? Receive(TimeSpan timeout)
    {
        if (!_in!.Poll(timeout, SelectMode.SelectRead))
        {
            return null;
        }
        var datagram = _receive.AsSpan(0, _in.Receive(_receive));
        if (_repeated.Repeat(datagram) is { } repeat)
        {
            return repeat;
        }
        var verdict = VrrpDatagram.TryDecodeIpv4(datagram, out var header, out var advertisement, _checkTtl);
        var received = new ReceivedAdvertisement(verdict, header.Source, header.Destination, advertisement) { Ipv4Header = header };
        _repeated.Remember(datagram, received);
        return received;
    }

    /// <summary>Raw IPv4 sockets deliver the IP header too.</summary>
    public void Ignore(LowerPriorityFilter filter) =>
        _filtered = Interop.RawSockets.Apply(_in!, filter, startsWithIpv4Header: true, _filtered);

    public void Dispose()
    {
        _out.Dispose();
        _in?.Dispose();
    }
}
