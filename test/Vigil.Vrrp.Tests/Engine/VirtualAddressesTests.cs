using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Vrrp.Tests.Engine;

public class VirtualAddressesTests
{
    [Fact]
    public void AnAddressListedTwice_IsHeldOnce_AsTheFirstEntrySays()
    {
        var vip = new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") };
        var instance = new NodeVrrpInstance
        {
            Name = "vi_1",
            Interface = "eth0",
            VirtualAddresses = [vip, vip with { Label = "eth0:web" }, new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.101/24") }],
            ExcludedAddresses = [vip with { Label = "eth0:ex" }],
        };
        var addresses = VirtualAddresses.Resolve(instance, [new NetworkLink(2, "eth0", true, true, null)]);
        Assert.Equal(["198.51.100.100/24 ", "198.51.100.101/24 "], addresses.Select(a => $"{a.Address}/{a.PrefixLength} {a.Label}"));
    }
}
