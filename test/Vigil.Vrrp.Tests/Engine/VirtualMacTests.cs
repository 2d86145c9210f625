using System.Net;
using Vigil.Core.Desired;
using Vigil.Vrrp.Engine;

namespace Vigil.Vrrp.Tests.Engine;

public sealed class VirtualMacTests
{
    private static readonly NodeVrrpInstance Instance = new()
    {
        Name = "vi_1",
        Interface = "eth0",
        VirtualRouterId = 51,
        Version = 3,
        AdvertInterval = TimeSpan.FromSeconds(1),
        Priority = 100,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [],
    };

    [Theory]
    // RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} (IPv4) and 00-00-5E-00-02-{VRID} (IPv6); VRID 51 = 0x33.
    [InlineData(IpFamily.IPv4, 51, "00005E000133", "vrrp.51")]
    [InlineData(IpFamily.IPv6, 51, "00005E000233", "vrrp6.51")]
    [InlineData(IpFamily.IPv4, 255, "00005E0001FF", "vrrp.255")]
    public void VirtualMac_FollowsRfc5798AndKeepalivedsNames(IpFamily family, int vrid, string mac, string name)
    {
        var instance = Instance with { Family = family, VirtualRouterId = vrid };

        Assert.Equal(mac, VirtualMac.AddressOf(instance).ToString());
        Assert.Equal(name, VirtualMac.InterfaceNameOf(instance));
    }
}
