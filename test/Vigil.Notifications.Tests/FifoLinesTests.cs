using System.Net;
using Vigil.Core.Desired;
using Vigil.Notifications.Fifo;

namespace Vigil.Notifications.Tests;

/// <summary>keepalived's lvs_notify_fifo lines (ipwrapper.c, format_vs and inet_sockaddrtotrio in 2.2.7) for each kind of virtual server.</summary>
public sealed class FifoLinesTests
{
    private static readonly RealServerSpec Real = new() { Address = IPAddress.Parse("203.0.113.41"), Port = 8080 };

    [Fact]
    public void AddressService_AsKeepalivedsManPageShowsIt()
    {
        var web = new VirtualServerSpec { Address = IPAddress.Parse("198.51.100.80"), Port = 80, RealServers = [Real] };

        Assert.Equal("VS [198.51.100.80]:tcp:80 UP\n", FifoLines.VirtualServer(web, up: true));
        Assert.Equal("RS [203.0.113.41]:tcp:8080 [198.51.100.80]:tcp:80 DOWN\n", FifoLines.RealServer(web, Real, up: false));
        var dns = web with { Address = IPAddress.Parse("2001:db8::53"), Port = 53, Protocol = IpvsProtocol.Udp };
        Assert.Equal("RS [203.0.113.41]:udp:8080 [2001:db8::53]:udp:53 UP\n", FifoLines.RealServer(dns, Real, up: true));
        Assert.Equal("RS [203.0.113.41]:tcp:80 [198.51.100.80]:tcp:80 UP\n", FifoLines.RealServer(web, Real with { Port = null }, up: true));
    }

    [Fact]
    public void FwmarkAndGroup_AsKeepalivedNamesThem()
    {
        // keepalived ignores a fwmark service's protocol ("none"), and clears its DR servers' port.
        var marked = new VirtualServerSpec { Fwmark = 5, Forwarding = IpvsForwarding.Dr };
        Assert.Equal("VS FWM 5 DOWN\n", FifoLines.VirtualServer(marked, up: false));
        Assert.Equal("RS [203.0.113.41]:none:0 FWM 5 UP\n", FifoLines.RealServer(marked, Real, up: true));
        Assert.Equal("RS [203.0.113.41]:none:8080 FWM 5 UP\n", FifoLines.RealServer(marked with { Forwarding = IpvsForwarding.Nat }, Real, up: true));

        var group = new VirtualServerSpec
        {
            Group = new VirtualServerGroupSpec { Name = "WEB", Members = [new GroupMemberSpec { Address = IPAddress.Parse("198.51.100.90"), Port = 80 }] },
        };
        Assert.Equal("VS [WEB]:0 UP\n", FifoLines.VirtualServer(group, up: true));
        Assert.Equal("RS [203.0.113.41]:tcp:8080 [WEB]:0 UP\n", FifoLines.RealServer(group, Real, up: true));
    }
}
