using Vigil.Core.Desired;

namespace Vigil.Core.Tests.Desired;

public class IpPrefixTests
{
    [Theory]
    [InlineData("198.51.100.100/24", "198.51.100.100/24")]
    [InlineData("198.51.100.100", "198.51.100.100/32")]
    [InlineData("2001:db8::100/64", "2001:db8::100/64")]
    [InlineData("2001:db8::100", "2001:db8::100/128")]
    public void TryParse_AddressWithOrWithoutLength_ReadsHostPrefixByDefault(string text, string expected)
    {
        Assert.True(IpPrefix.TryParse(text, out var prefix));
        Assert.Equal(expected, prefix.ToString());
    }

    [Theory]
    [InlineData("198.51.100.300/24")]
    [InlineData("198.51.100.1/33")]
    [InlineData("2001:db8::1/129")]
    [InlineData("1.2")]
    [InlineData("fe80::1%eth0")]
    [InlineData("198.51.100.1/")]
    [InlineData("198.51.100.1/-1")]
    [InlineData("eth0")]
    public void TryParse_NotAnAddress_Fails(string text) => Assert.False(IpPrefix.TryParse(text, out _));

    [Fact]
    public void IpAddressText_RejectsAPrefixLength() => Assert.False(IpAddressText.TryParse("198.51.100.1/24", out _));
}
