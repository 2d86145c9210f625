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
public sealed class Ipv4VrrpSocketTests : IDisposable
{
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");

    private readonly TestNamespace _ka1 = new();
    private readonly TestNamespace _ka2 = new();
    private readonly bool _ready;

    public Ipv4VrrpSocketTests()
    {
        _ready = TestNamespace.Connect(_ka1, "198.51.100.11/24", _ka2, "198.51.100.12/24");
    }

    public void Dispose()
    {
        _ka1.Dispose();
        _ka2.Dispose();
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
        using var sender = NetworkNamespace.Run(_ka1.Name, () => new Ipv4VrrpSocket("d0", _ka1.IndexOf("d0"), Ka1, joinMulticast: true));
        using var receiver = NetworkNamespace.Run(_ka2.Name, () => new Ipv4VrrpSocket("d1", _ka2.IndexOf("d1"), Ka2, joinMulticast: true));

        ReceivedAdvertisement? received = null;
        // The veth link may need a moment to carry traffic after coming up: resend until one arrives (bounded).
        for (var attempt = 0; attempt < 25 && received is null; attempt++)
        {
            sender.Send(Ka1Advert(100), IPAddress.Parse(destination));
            received = receiver.Receive(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(received);
        Assert.Equal(VrrpRejection.None, received.Verdict);
        Assert.Equal((Ka1, IPAddress.Parse(destination)), (received.Source, received.Destination));
        Assert.Equal((Ipv4Header.VrrpTimeToLive, Ipv4Header.VrrpTypeOfService), (received.Ipv4Header!.Value.TimeToLive, received.Ipv4Header!.Value.TypeOfService));
        Assert.False(received.Ipv4Header!.Value.DontFragment); // as keepalived sends

        Assert.Equal(Ka1Advert(100), received.Advertisement);
    }
}
