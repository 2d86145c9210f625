using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>Adds and removes addresses in a namespace the test creates; iproute2 is the witness.</summary>
public sealed class NamespaceAddressTests : IDisposable
{
    private readonly TestNamespace _ns = new();

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void AddAndDelete_InANamespace_AreSeenByIproute2_AndByOurDump()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        var vip = new InterfaceAddress(_ns.D0Index, IPAddress.Parse("198.51.100.100"), 24, 0, "d0:vip");
        using var socket = NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, _ns.Name);

        socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 198.51.100.100/24 to d0");

        Assert.Contains("inet 198.51.100.100/24 scope global d0:vip", _ns.InNamespace("-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        var dumped = socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(socket.NextSequence()), AddressMessages.TryParse, "list addresses");
        Assert.Contains(vip, dumped);
        Assert.DoesNotContain(dumped, a => a.Address.Equals(IPAddress.Parse("198.51.100.101")));

        // Adding it again is refused, not silently accepted: the errno is named.
        var twice = Assert.Throws<NetlinkException>(() => socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 198.51.100.100/24 to d0"));
        Assert.Equal(17, twice.Errno);
        Assert.Equal("add 198.51.100.100/24 to d0: EEXIST (already exists)", twice.Message);

        socket.Execute(AddressMessages.ChangeRequest(add: false, vip, socket.NextSequence()), "delete 198.51.100.100/24 from d0");
        Assert.DoesNotContain("198.51.100.100", _ns.InNamespace("-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        // The host's own addresses were never touched: the socket lives in the test namespace.
        using var host = NetlinkSocket.Open(NetlinkSocket.Route);
        Assert.DoesNotContain(host.Dump<InterfaceAddress>(AddressMessages.DumpRequest(host.NextSequence()), AddressMessages.TryParse, "list"), a => a.Address.Equals(vip.Address));
    }

    [Fact]
    public void Ipv6Address_RoundTrips()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        var index = _ns.D0Index;
        var vip = new InterfaceAddress(index, IPAddress.Parse("2001:db8::100"), 64, 0, null);
        using var socket = NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, _ns.Name);
        socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 2001:db8::100/64");
        Assert.Contains("inet6 2001:db8::100/64", _ns.InNamespace("-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        var dumped = socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(socket.NextSequence()), AddressMessages.TryParse, "list addresses");
        Assert.Contains(dumped, a => a.Address.Equals(vip.Address) && a.PrefixLength == 64 && a.InterfaceIndex == index);
    }
}
