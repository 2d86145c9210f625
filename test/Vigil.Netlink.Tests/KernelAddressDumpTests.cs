using System.Net;
using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Netlink.Tests;

/// <summary>Read-only requests to this machine's own kernel: every Linux network namespace has lo with 127.0.0.1/8.</summary>
public class KernelAddressDumpTests
{
    [Fact]
    public void AddressDump_FromTheKernel_IncludesLoopback()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skips.Missing("netlink exists only on Linux");
        }
        using var socket = NetlinkSocket.Open(NetlinkSocket.Route);
        var addresses = socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(socket.NextSequence()), AddressMessages.TryParse, "list addresses");

        var loopback = Assert.Single(addresses, a => a.Address.Equals(IPAddress.Loopback));
        Assert.Equal(8, loopback.PrefixLength);
        Assert.Equal("lo", loopback.Label);
        Assert.Equal(254, loopback.Scope); // RT_SCOPE_HOST
        Assert.Equal(1, loopback.InterfaceIndex);
    }
}
