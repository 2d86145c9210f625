using System.Net;
using Vigil.Netlink;
using Vigil.Tests;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Transport;

/// <summary>
/// Two namespaces the test creates, joined by a veth pair (d0 198.51.100.11 in one, d1 198.51.100.12 in the
/// other): adverts sent by one socket arrive at the other with TTL 255 and TOS 0xc0, multicast and unicast.
/// </summary>
public sealed class VrrpSocketTests : IDisposable
{
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");

    private readonly TestNamespace _ka1 = new();
    private readonly TestNamespace _ka2 = new();
    private readonly bool _ready;

    public VrrpSocketTests()
    {
        _ready = TestNamespace.Connect(_ka1, "198.51.100.11/24", _ka2, "198.51.100.12/24");
    }

    public void Dispose()
    {
        _ka1.Dispose();
        _ka2.Dispose();
    }

    /// <summary>ka1's socket on d0, joined to the group.</summary>
    private Ipv4VrrpSocket Ka1Socket() => NetworkNamespace.Run(_ka1.Name, () => new Ipv4VrrpSocket("d0", _ka1.IndexOf("d0"), Ka1, joinMulticast: true));

    /// <summary>ka2's socket on d1, joined to the group.</summary>
    private Ipv4VrrpSocket Ka2Socket() => NetworkNamespace.Run(_ka2.Name, () => new Ipv4VrrpSocket("d1", _ka2.IndexOf("d1"), Ka2, joinMulticast: true));

    /// <summary>
    /// The first advert that gets through: the veth link may need a moment to carry traffic after coming up, so the
    /// advert is sent again until one arrives (bounded); null when none did.
    /// </summary>
    private static ReceivedAdvertisement? FirstThrough(Ipv4VrrpSocket sender, Ipv4VrrpSocket receiver, VrrpAdvertisement advert, IPAddress destination)
    {
        ReceivedAdvertisement? received = null;
        for (var attempt = 0; attempt < 25 && received is null; attempt++)
        {
            sender.Send(advert, destination);
            received = receiver.Receive(TimeSpan.FromMilliseconds(200));
        }
        return received;
    }

    private static VrrpAdvertisement Ka1Advert(byte priority) => new()
    {
        Version = 2, VirtualRouterId = 51, Priority = priority, AdvertisementInterval = 1, IpAddresses = [IPAddress.Parse("198.51.100.100")],
        AuthType = VrrpAuthType.SimpleText, AuthenticationData = VrrpCodec.SimpleTextAuthentication("s3cr3t"),
    };

    [Theory]
    [InlineData("224.0.0.18")]
    [InlineData("198.51.100.12")]
    public void Advert_SentFromOneNamespace_ArrivesInTheOther_WithTtl255Tos0xc0AndDfClear(string destination)
    {
        if (!_ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var sender = Ka1Socket();
        using var receiver = Ka2Socket();

        var received = FirstThrough(sender, receiver, Ka1Advert(100), IPAddress.Parse(destination));

        Assert.NotNull(received);
        Assert.Equal(VrrpRejection.None, received.Verdict);
        Assert.Equal((Ka1, IPAddress.Parse(destination)), (received.Source, received.Destination));
        Assert.Equal((Ipv4Header.VrrpTimeToLive, Ipv4Header.VrrpTypeOfService), (received.Ipv4Header!.Value.TimeToLive, received.Ipv4Header!.Value.TypeOfService));
        Assert.False(received.Ipv4Header!.Value.DontFragment); // as keepalived sends

        Assert.Equal(Ka1Advert(100), received.Advertisement);
    }

    /// <summary>
    /// The steady path allocates nothing per advert (issue 19): a master sends the same advert every interval, and
    /// its backup receives it. Counted in bytes allocated by this thread, which does both, after a first round.
    /// </summary>
    [Fact]
    public void TheSameAdvert_SentAndReceivedAgain_AllocatesNothing()
    {
        if (!_ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var sender = Ka1Socket();
        using var receiver = Ka2Socket();
        var advert = Ka1Advert(100);
        var group = Ipv4VrrpSocket.MulticastGroup;
        Assert.NotNull(FirstThrough(sender, receiver, advert, group));
        const int Adverts = 200;
        var timeout = TimeSpan.FromSeconds(1);
        for (var i = 0; i < 20; i++) // every path run once more before counting
        {
            sender.Send(advert, group);
            receiver.Receive(timeout);
        }

        var received = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Adverts; i++)
        {
            sender.Send(advert, group);
            received += receiver.Receive(timeout) is { Verdict: VrrpRejection.None } ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Adverts, received);
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {Adverts} adverts ({allocated / (double)Adverts:0.#} per advert)");
        // A changed advert is decoded again, not mistaken for the last one.
        sender.Send(Ka1Advert(90), group);
        Assert.Equal(90, receiver.Receive(timeout)!.Advertisement!.Priority);
    }

    /// <summary>
    /// The announcer only sends: the frames on its link do not reach its libpcap ring, whose pages (2 MiB per instance by
    /// default, unread) were most of the memory ten idle instances added (issue 19).
    /// </summary>
    [Fact]
    public void TheAnnouncer_CapturesNothing_WhileItsLinkCarriesAdverts()
    {
        if (!_ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var announcer = NetworkNamespace.Run(_ka2.Name, () => new PcapAnnouncer("d1", System.Net.NetworkInformation.PhysicalAddress.Parse("02-00-00-00-00-12")));
        using var sender = Ka1Socket();
        using var receiver = Ka2Socket();
        var received = 0;
        for (var attempt = 0; attempt < 100 && received < 20; attempt++)
        {
            sender.Send(Ka1Advert(100), Ipv4VrrpSocket.MulticastGroup);
            received += receiver.Receive(TimeSpan.FromMilliseconds(200)) is null ? 0 : 1;
        }

        Assert.Equal(20, received); // the link carried them, beside the announcer
        Assert.Equal(0, announcer.Captured);
    }

    /// <summary>
    /// A preempting backup's filter in the kernel (issue 16's flood): its VRID's adverts of priority 1-99 never reach the
    /// socket; priority 0, its own priority and above, another VRID and another version still do, and taking the
    /// filter off lets everything through again. Each probe is followed by a marker, so "not received" is seen, not
    /// waited for: the veth keeps the order.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LowerPriorityFilter_DropsOnlyItsVridsLowerPriorities_InTheKernel(bool ipv6)
    {
        if (!_ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        IPAddress sourceAddress = Ka1, destination = Ipv4VrrpSocket.MulticastGroup;
        if (ipv6)
        {
            sourceAddress = IPAddress.Parse("fe80::11");
            destination = Ipv6VrrpSocket.MulticastGroup;
            Assert.Equal(0, _ka1.InNamespace("addr", "add", "fe80::11/64", "dev", "d0", "nodad").ExitCode);
            Assert.Equal(0, _ka2.InNamespace("addr", "add", "fe80::12/64", "dev", "d1", "nodad").ExitCode);
        }
        IVrrpChannel Open(TestNamespace node, string device, IPAddress address) => NetworkNamespace.Run(node.Name, () => ipv6
            ? (IVrrpChannel)new Ipv6VrrpSocket(device, node.IndexOf(device), address, joinMulticast: true)
            : new Ipv4VrrpSocket(device, node.IndexOf(device), address, joinMulticast: true));
        using var sender = Open(_ka1, "d0", sourceAddress);
        using var receiver = Open(_ka2, "d1", ipv6 ? IPAddress.Parse("fe80::12") : Ka2);
        VrrpAdvertisement Advert(byte version, byte vrid, byte priority) => new()
        {
            Version = version, VirtualRouterId = vrid, Priority = priority, AdvertisementInterval = (ushort)(version == 3 ? 100 : 1),
            IpAddresses = [ipv6 ? IPAddress.Parse("2001:db8::100") : IPAddress.Parse("198.51.100.100")],
        };
        var marker = Advert(3, 52, 200);
        ReceivedAdvertisement? first = null;
        for (var attempt = 0; attempt < 25 && first is null; attempt++) // the link may need a moment after coming up
        {
            sender.Send(marker, destination);
            first = receiver.Receive(TimeSpan.FromMilliseconds(200));
        }
        Assert.NotNull(first);
        while (receiver.Receive(TimeSpan.FromMilliseconds(100)) is not null)
        {
        }
        // The probe, then the marker: the first of the two to arrive says whether the probe got through.
        bool Passes(VrrpAdvertisement probe)
        {
            sender.Send(probe, destination);
            sender.Send(marker, destination);
            var received = receiver.Receive(TimeSpan.FromSeconds(2))?.Advertisement;
            Assert.NotNull(received);
            if (received == marker)
            {
                return false;
            }
            Assert.Equal(probe, received);
            Assert.Equal(marker, receiver.Receive(TimeSpan.FromSeconds(2))?.Advertisement);
            return true;
        }
        receiver.Ignore(new LowerPriorityFilter(51, 3, Below: 100));

        Assert.False(Passes(Advert(3, 51, 50)));
        Assert.False(Passes(Advert(3, 51, 99)));
        Assert.True(Passes(Advert(3, 51, 0)));
        Assert.True(Passes(Advert(3, 51, 100)));
        Assert.True(Passes(Advert(3, 51, 150)));
        Assert.True(Passes(Advert(3, 53, 50)));

        receiver.Ignore(new LowerPriorityFilter(51, 3, Below: 20));
        Assert.True(Passes(Advert(3, 51, 50)));
        Assert.False(Passes(Advert(3, 51, 19)));

        receiver.Ignore(new LowerPriorityFilter(51, 3, Below: 0));
        Assert.True(Passes(Advert(3, 51, 19)));

        if (!ipv6) // VRRPv2 is IPv4 only
        {
            receiver.Ignore(new LowerPriorityFilter(51, 2, Below: 100));
            Assert.True(Passes(Advert(3, 51, 50)));
            Assert.False(Passes(Advert(2, 51, 50)));
        }
    }

    /// <summary>
    /// keepalived's unicast_ttl: a unicast instance sends with its own TTL / hop limit and takes adverts of any, as
    /// keepalived (whose IPv6 unicast adverts carry hop limit 64 by default); a multicast instance still drops them
    /// (RFC 5798 section 7.1).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnicastTtl_IsSent_AndOnlyAMulticastInstanceRequires255(bool ipv6)
    {
        if (!_ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        IPAddress from = Ka1, to = Ka2;
        if (ipv6)
        {
            (from, to) = (IPAddress.Parse("2001:db8::11"), IPAddress.Parse("2001:db8::12"));
            Assert.Equal(0, _ka1.InNamespace("addr", "add", "2001:db8::11/64", "dev", "d0", "nodad").ExitCode);
            Assert.Equal(0, _ka2.InNamespace("addr", "add", "2001:db8::12/64", "dev", "d1", "nodad").ExitCode);
        }
        IVrrpChannel Open(TestNamespace node, string device, IPAddress address, bool multicast) => NetworkNamespace.Run(node.Name, () => ipv6
            ? (IVrrpChannel)new Ipv6VrrpSocket(device, node.IndexOf(device), address, joinMulticast: multicast, unicastTtl: 64)
            : new Ipv4VrrpSocket(device, node.IndexOf(device), address, joinMulticast: multicast, unicastTtl: 64));
        using var sender = Open(_ka1, "d0", from, multicast: false);
        var advert = Ka1Advert(100) with
        {
            Version = 3, AdvertisementInterval = 100, AuthType = VrrpAuthType.NoAuthentication, AuthenticationData = default,
            IpAddresses = [ipv6 ? IPAddress.Parse("2001:db8::100") : IPAddress.Parse("198.51.100.100")],
        };
        ReceivedAdvertisement? Arrival(IVrrpChannel receiver)
        {
            ReceivedAdvertisement? received = null;
            for (var attempt = 0; attempt < 25 && received is null; attempt++) // the link may need a moment after coming up
            {
                sender.Send(advert, to);
                received = receiver.Receive(TimeSpan.FromMilliseconds(200));
            }
            return received;
        }

        using (var unicast = Open(_ka2, "d1", to, multicast: false))
        {
            var received = Arrival(unicast);
            Assert.NotNull(received);
            Assert.Equal(VrrpRejection.None, received.Verdict);
            Assert.Equal(advert, received.Advertisement);
            Assert.Equal(64, ipv6 ? received.HopLimit : received.Ipv4Header!.Value.TimeToLive);
        }
        using (var multicast = Open(_ka2, "d1", to, multicast: true))
        {
            var received = Arrival(multicast);
            Assert.NotNull(received);
            Assert.Equal(VrrpRejection.TtlNot255, received.Verdict);
        }
    }
}
