using System.Net;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Tests.Protocol;

public class AdvertisementFilterTests
{
    // vrrpv2-advert.one.hex without its Ethernet header: ka1's v2 advert, VRID 51, PASS "s3cr3t", 1 s.
    private const string V2Advert = "45c0002800010000ff70b053c633640be00000122133640101014518c63364647333637233740000";
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");

    private static AdvertisementFilter Ka2Filter(string password = "s3cr3t", byte vrid = 51, ushort interval = 1, byte version = 2) =>
        new(new InstanceExpectation(version, vrid, interval, VrrpAuthType.SimpleText, VrrpCodec.SimpleTextAuthentication(password), [Ka2]));

    private static (VrrpRejection Verdict, VrrpAdvertisement? Advert) Decode(string hex)
    {
        var verdict = VrrpDatagram.TryDecodeIpv4(Convert.FromHexString(hex), out _, out var advert);
        return (verdict, advert);
    }

    [Fact]
    public void KeepalivedsAdvert_WithMatchingSettings_IsAccepted()
    {
        var filter = Ka2Filter();
        var (verdict, advert) = Decode(V2Advert);
        Assert.Equal(VrrpRejection.None, filter.Check(verdict, Ka1, advert));
        Assert.Empty(filter.DropCounts());
    }

    [Fact]
    public void PasswordMismatch_IsDroppedAndCounted()
    {
        var filter = Ka2Filter(password: "other");
        var (verdict, advert) = Decode(V2Advert);
        Assert.Equal(VrrpRejection.AuthenticationMismatch, filter.Check(verdict, Ka1, advert));
        Assert.Equal(VrrpRejection.AuthenticationMismatch, filter.Check(verdict, Ka1, advert));
        Assert.Equal(2, filter.Dropped(VrrpRejection.AuthenticationMismatch));
    }

    [Theory]
    [InlineData(52, 1, 2, VrrpRejection.OtherVirtualRouter)]
    [InlineData(51, 2, 2, VrrpRejection.IntervalMismatch)]
    [InlineData(51, 1, 3, VrrpRejection.VersionMismatch)]
    public void InstanceMismatches_HaveTheirOwnReason(byte vrid, ushort interval, byte version, VrrpRejection expected)
    {
        var filter = Ka2Filter(vrid: vrid, interval: interval, version: version);
        var (verdict, advert) = Decode(V2Advert);
        Assert.Equal(expected, filter.Check(verdict, Ka1, advert));
        Assert.Equal(1, filter.Dropped(expected));
    }

    [Fact]
    public void OurOwnAdvert_IsDropped()
    {
        var filter = new AdvertisementFilter(new InstanceExpectation(2, 51, 1, VrrpAuthType.SimpleText, VrrpCodec.SimpleTextAuthentication("s3cr3t"), [Ka1]));
        var (verdict, advert) = Decode(V2Advert);
        Assert.Equal(VrrpRejection.OwnPacket, filter.Check(verdict, Ka1, advert));
    }

    [Fact]
    public void CodecRejections_AreCountedToo()
    {
        var filter = Ka2Filter();
        var bytes = Convert.FromHexString(V2Advert);
        bytes[8] = 64; // TTL
        var verdict = VrrpDatagram.TryDecodeIpv4(bytes, out _, out var advert);
        Assert.Equal(VrrpRejection.TtlNot255, filter.Check(verdict, Ka1, advert));
        Assert.Equal(new Dictionary<VrrpRejection, long> { [VrrpRejection.TtlNot255] = 1 }, filter.DropCounts());
    }
}
