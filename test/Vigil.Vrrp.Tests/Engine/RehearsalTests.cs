using System.Net;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Vrrp.Tests.Engine;

/// <summary>
/// The rehearsed takeover an instance plays before it starts (so the real one runs compiled code) must really take
/// over: its imaginary master's priority-0 advert has to pass the instance's own filter (VRID, version, v2
/// authentication and interval) and Skew_Time has to run out on the agent's timers.
/// </summary>
public sealed class RehearsalTests
{
    private static readonly NodeVrrpInstance V3 = new()
    {
        Name = "vi_1",
        Interface = "eth0",
        VirtualRouterId = 51,
        Version = 3,
        AdvertInterval = TimeSpan.FromMilliseconds(100),
        Priority = 80,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.12"),
        VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") }],
    };

    public static TheoryData<string> Cases => ["v3", "v2 with password", "v3 IPv6", "v3 unicast"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rehearse_TakesOverOnThePriorityZeroAdvert(string name)
    {
        var instance = name switch
        {
            "v2 with password" => V3 with
            {
                Version = 2,
                AdvertInterval = TimeSpan.FromSeconds(1),
                Authentication = new VrrpAuthenticationSpec { Password = "s3cr3t" },
            },
            "v3 IPv6" => V3 with
            {
                Family = IpFamily.IPv6,
                SourceAddress = IPAddress.Parse("2001:db8::12"),
                VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("2001:db8::100/64") }],
            },
            "v3 unicast" => V3 with { Transport = VrrpTransport.Unicast, UnicastPeers = [IPAddress.Parse("198.51.100.11")] },
            _ => V3,
        };
        var vip = instance.VirtualAddresses[0].Address;
        using var time = new PreciseTimeProvider();

        Assert.True(VirtualRouter.Rehearse(instance, [new InterfaceAddress(2, vip.Address, vip.PrefixLength, 0, null)], time));
    }
}
