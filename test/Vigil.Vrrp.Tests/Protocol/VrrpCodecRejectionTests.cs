using System.Net;
using Vigil.Core.Wire;
using Vigil.Vrrp.Protocol;

namespace Vigil.Vrrp.Tests.Protocol;

/// <summary>Every malformed variant gives its own typed rejection, never an exception.</summary>
public class VrrpCodecRejectionTests
{
    // vrrpv2-advert.one.hex and vrrpv3-advert.one.hex without the Ethernet header (IPv4 datagrams).
    private const string V2 = "45c0002800010000ff70b053c633640be00000122133640101014518c63364647333637233740000";
    private const string V3 = "45c0002000010000ff70b05bc633640be000001231336401000a355bc6336464";

    private static VrrpRejection Decode(string hex, Action<byte[]>? corrupt = null, int? truncateTo = null)
    {
        var bytes = Convert.FromHexString(hex);
        corrupt?.Invoke(bytes);
        return VrrpDatagram.TryDecodeIpv4(bytes.AsSpan(0, truncateTo ?? bytes.Length), out _, out _);
    }

    [Fact]
    public void Valid_Captures_AreAccepted()
    {
        Assert.Equal(VrrpRejection.None, Decode(V2));
        Assert.Equal(VrrpRejection.None, Decode(V3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(27)]
    [InlineData(39)]
    public void Truncated_IsTooShort(int length) => Assert.Equal(VrrpRejection.TooShort, Decode(V2, truncateTo: length));

    [Fact]
    public void TtlOtherThan255_IsRejected() => Assert.Equal(VrrpRejection.TtlNot255, Decode(V3, b => b[8] = 254));

    [Fact]
    public void OtherProtocol_IsNotVrrp() => Assert.Equal(VrrpRejection.NotVrrp, Decode(V3, b => b[9] = 6));

    [Fact]
    public void IpVersion6HeaderInAnIpv4Socket_IsMalformed() => Assert.Equal(VrrpRejection.MalformedIpHeader, Decode(V3, b => b[0] = 0x65));

    [Fact]
    public void HeaderLengthBelowFiveWords_IsMalformed() => Assert.Equal(VrrpRejection.MalformedIpHeader, Decode(V3, b => b[0] = 0x44));

    [Theory]
    [InlineData(0x11)]
    [InlineData(0x41)]
    [InlineData(0xf1)]
    public void VersionOtherThan2Or3_IsBadVersion(byte versionAndType) => Assert.Equal(VrrpRejection.BadVersion, Decode(V3, b => b[20] = versionAndType));

    [Fact]
    public void TypeOtherThanAdvertisement_IsBadType() => Assert.Equal(VrrpRejection.BadType, Decode(V3, b => b[20] = 0x32));

    [Fact]
    public void CountOfAddresses_BeyondTheLength_IsTooShort() => Assert.Equal(VrrpRejection.TooShort, Decode(V3, b => b[23] = 2));

    [Fact]
    public void CountOfAddresses_BelowTheLength_IsALengthMismatch() => Assert.Equal(VrrpRejection.LengthMismatch, Decode(V2, b => b[23] = 0));

    [Theory]
    [InlineData(26)] // checksum byte
    [InlineData(22)] // priority
    [InlineData(31)] // last address byte
    public void AnyFlippedBit_FailsTheChecksum(int offset) => Assert.Equal(VrrpRejection.BadChecksum, Decode(V3, b => b[offset] ^= 0x01));

    [Fact]
    public void V3ChecksumComputedWithoutThePseudoHeader_FailsTheChecksum()
    {
        // A v3 message whose checksum covers only the message, as a v2 sender would compute it.
        var advert = new VrrpAdvertisement { Version = 3, VirtualRouterId = 51, Priority = 100, AdvertisementInterval = 10, IpAddresses = [IPAddress.Parse("198.51.100.100")] };
        var message = new byte[12];
        VrrpCodec.Encode(advert, IPAddress.Parse("198.51.100.11"), IPAddress.Parse("224.0.0.18"), message);
        message[6] = message[7] = 0;
        var sum = InternetChecksum.Finish(InternetChecksum.Add(0, message));
        message[6] = (byte)(sum >> 8);
        message[7] = (byte)sum;
        Assert.Equal(VrrpRejection.BadChecksum, VrrpCodec.TryDecode(message, IPAddress.Parse("198.51.100.11"), IPAddress.Parse("224.0.0.18"), out _));
    }

    [Fact]
    public void V2OverIpv6_IsBadVersion()
    {
        var message = Convert.FromHexString(V2)[20..];
        Assert.Equal(VrrpRejection.BadVersion, VrrpCodec.TryDecode(message, IPAddress.Parse("fe80::11"), IPAddress.Parse("ff02::12"), out _));
    }

    [Fact]
    public void V2AuthTypeIpAh_IsUnsupported()
    {
        var advert = new VrrpAdvertisement { Version = 2, VirtualRouterId = 51, Priority = 100, AdvertisementInterval = 1, IpAddresses = [IPAddress.Parse("198.51.100.100")], AuthType = VrrpAuthType.IpAuthenticationHeader };
        var buffer = new byte[64];
        var length = VrrpCodec.Encode(advert, IPAddress.Parse("198.51.100.11"), IPAddress.Parse("224.0.0.18"), buffer);
        Assert.Equal(VrrpRejection.UnsupportedAuthType, VrrpCodec.TryDecode(buffer.AsSpan(0, length), IPAddress.Parse("198.51.100.11"), IPAddress.Parse("224.0.0.18"), out _));
    }

    [Fact]
    public void RandomBytes_NeverThrow_AndAreAlmostNeverAccepted()
    {
        var random = new Random(5798);
        var buffer = new byte[80];
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            var length = random.Next(buffer.Length + 1);
            if (random.Next(2) == 0 && length >= 20)
            {
                // Half the time, a plausible IPv4 VRRP header so that the VRRP checks are reached.
                buffer[0] = 0x45;
                buffer[2] = 0;
                buffer[3] = (byte)length;
                buffer[8] = 255;
                buffer[9] = 112;
            }
            if (VrrpDatagram.TryDecodeIpv4(buffer.AsSpan(0, length), out _, out _) == VrrpRejection.None)
            {
                accepted++;
            }
        }
        Assert.True(accepted < 20, $"{accepted} random datagrams were accepted");
    }

    [Fact]
    public void DontFragment_IsReadFromTheFlags_AndKeepalivedLeavesItClear()
    {
        Assert.Equal(VrrpRejection.None, VrrpDatagram.TryDecodeIpv4(Convert.FromHexString(V3), out var clear, out _));
        Assert.False(clear.DontFragment);
        var withDf = Convert.FromHexString(V3);
        withDf[6] = 0x40;
        Assert.Equal(VrrpRejection.None, Ipv4Header.TryRead(withDf, out var set, out _));
        Assert.True(set.DontFragment);
    }
}
