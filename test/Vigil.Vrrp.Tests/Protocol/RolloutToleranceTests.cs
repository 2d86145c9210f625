using System.Net;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Tests.Protocol;

/// <summary>
/// A rollout window: an instance changed by a revision also takes, until a deadline, the adverts its other revision
/// would (a peer that applies the change earlier or later), counts them, and after the deadline only its own. The
/// address list: verified and dropped only when the instance asks (strict; RFC 3768 and RFC 5798 section 7.1), never for
/// the address owner.
/// </summary>
public class RolloutToleranceTests
{
    // vrrpv2-advert.one.hex without its Ethernet header: ka1's v2 advert, VRID 51, priority 100, PASS "s3cr3t", 1 s, VIP 198.51.100.100.
    private const string V2Advert = "45c0002800010000ff70b053c633640be00000122133640101014518c63364647333637233740000";
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");
    private static readonly IPAddress Vip = IPAddress.Parse("198.51.100.100");
    private static readonly IPAddress SecondVip = IPAddress.Parse("198.51.100.101");

    /// <summary>What ka1's advert matches: the revision before the change.</summary>
    private static readonly InstanceExpectation Before = Expect();

    private static InstanceExpectation Expect(byte version = 2, byte vrid = 51, string? password = "s3cr3t", IPAddress[]? vips = null, bool strict = false) =>
        new(version, vrid, (ushort)(version == 2 ? 1 : 100), password is null ? VrrpAuthType.NoAuthentication : VrrpAuthType.SimpleText,
            password is null ? ReadOnlyMemory<byte>.Empty : VrrpCodec.SimpleTextAuthentication(password), [Ka2])
        {
            VirtualAddresses = vips ?? [Vip],
            DropOtherAddressLists = strict,
        };

    private static VrrpAdvertisement Ka1Advert()
    {
        Assert.Equal(VrrpRejection.None, VrrpDatagram.TryDecodeIpv4(Convert.FromHexString(V2Advert), out _, out var advert));
        return advert!;
    }

    public static TheoryData<string, InstanceExpectation, VrrpRejection> Changes => new()
    {
        { "password changed", Expect(password: "rollout1"), VrrpRejection.AuthenticationMismatch },
        { "authentication removed", Expect(password: null), VrrpRejection.AuthenticationMismatch },
        { "version 2 -> 3", Expect(version: 3, password: null), VrrpRejection.VersionMismatch },
        { "VRID 51 -> 53", Expect(vrid: 53), VrrpRejection.OtherVirtualRouter },
        { "VIP added, strict", Expect(vips: [Vip, SecondVip], strict: true), VrrpRejection.AddressListMismatch },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void TheOtherRevisionsAdverts_AreTakenWithinTheWindow_AndDroppedAfterIt(string change, InstanceExpectation after, VrrpRejection outside)
    {
        var filter = new AdvertisementFilter(after);
        var advert = Ka1Advert();
        Assert.Equal(outside, filter.Check(VrrpRejection.None, Ka1, advert, now: 10, out _)); // no window yet

        filter.Tolerate(Before, until: 1000);

        Assert.Equal(VrrpRejection.None, filter.Check(VrrpRejection.None, Ka1, advert, now: 999, out var match));
        Assert.Equal(AdvertMatch.Tolerated, match);
        Assert.Equal(1, filter.Tolerated);
        Assert.Equal(1000, filter.ToleratingUntil(999));
        Assert.Equal(outside, filter.Check(VrrpRejection.None, Ka1, advert, now: 1000, out _));
        Assert.Null(filter.ToleratingUntil(1000));
        Assert.True(2 == filter.Dropped(outside), $"{change}: dropped before the window and after it");
        Assert.Equal(1, filter.Tolerated);
    }

    [Fact]
    public void TheWindowWorksTheOtherWay_ForAPeerThatAppliedFirst()
    {
        // This node still runs the revision before; the next one (VRID 53) is known and tolerated.
        var filter = new AdvertisementFilter(Expect(vrid: 53));
        filter.Tolerate(Before, until: 100);
        var current = new AdvertisementFilter(Before);
        current.Tolerate(Expect(vrid: 53), until: 100);
        var advert = Ka1Advert() with { VirtualRouterId = 53 };

        Assert.Equal(VrrpRejection.None, current.Check(VrrpRejection.None, Ka1, advert, now: 1, out var match));
        Assert.Equal(AdvertMatch.Tolerated, match);
        Assert.Equal(VrrpRejection.None, filter.Check(VrrpRejection.None, Ka1, advert, now: 1, out match));
        Assert.Equal(AdvertMatch.Expected, match);
    }

    [Fact]
    public void AnAdvertMatchingNeitherRevision_IsDroppedWithinTheWindow()
    {
        var filter = new AdvertisementFilter(Expect(password: "rollout1"));
        filter.Tolerate(Expect(password: "rollout0"), until: 1000);

        Assert.Equal(VrrpRejection.AuthenticationMismatch, filter.Check(VrrpRejection.None, Ka1, Ka1Advert(), now: 1, out _));
        Assert.Equal(0, filter.Tolerated);
    }

    [Fact]
    public void BrokenPackets_AreNeverTolerated()
    {
        var filter = new AdvertisementFilter(Expect(password: "rollout1"));
        filter.Tolerate(Before, until: 1000);

        Assert.Equal(VrrpRejection.BadChecksum, filter.Check(VrrpRejection.BadChecksum, Ka1, null, now: 1, out _));
        Assert.Equal(VrrpRejection.OwnPacket, filter.Check(VrrpRejection.None, Ka2, Ka1Advert(), now: 1, out _));
    }

    [Fact]
    public void AnotherAddressList_IsActedOnAndReported_UnlessTheInstanceVerifiesLists()
    {
        var advert = Ka1Advert();
        var lenient = new AdvertisementFilter(Expect(vips: [Vip, SecondVip]));
        var strict = new AdvertisementFilter(Expect(vips: [Vip, SecondVip], strict: true));

        Assert.Equal(VrrpRejection.None, lenient.Check(VrrpRejection.None, Ka1, advert, now: 0, out var match));
        Assert.Equal(AdvertMatch.OtherAddressList, match);
        Assert.Empty(lenient.DropCounts());
        Assert.Equal(VrrpRejection.AddressListMismatch, strict.Check(VrrpRejection.None, Ka1, advert, now: 0, out _));
        Assert.Equal(1, strict.Dropped(VrrpRejection.AddressListMismatch));
    }

    [Fact]
    public void TheAddressOwnersList_IsTakenWhateverItHolds_AndTheSameSetInAnotherOrderIsNoDifference()
    {
        var strict = new AdvertisementFilter(Expect(vips: [SecondVip, Vip], strict: true));

        Assert.Equal(VrrpRejection.None, strict.Check(VrrpRejection.None, Ka1, Ka1Advert() with { Priority = 255 }, now: 0, out var match));
        Assert.Equal(AdvertMatch.Expected, match);
        Assert.Equal(VrrpRejection.None, strict.Check(VrrpRejection.None, Ka1, Ka1Advert() with { IpAddresses = [Vip, SecondVip] }, now: 0, out match));
        Assert.Equal(AdvertMatch.Expected, match);
    }
}
