using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>Address changes made by someone else (iproute2 here) reach a subscribed socket: what drift detection uses.</summary>
public sealed class NamespaceAddressWatchTests : IDisposable
{
    private readonly TestNamespace _ns = new();

    private static AddressEvent? WaitFor(NetlinkSocket watch, Func<AddressEvent, bool> match) =>
        Notifications.WaitFor<AddressEvent>(watch, AddressMessages.TryParseEvent, match);

    public void Dispose() => _ns.Dispose();

    [Theory]
    [InlineData("198.51.100.77", 24, AddressMessages.Ipv4AddressGroup)]
    [InlineData("2001:db8::77", 64, AddressMessages.Ipv6AddressGroup)]
    public void AddressWatch_ReportsAdditionAndRemovalByIproute2(string address, int prefixLength, uint group)
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var watch = NetlinkSocket.OpenSubscribed(NetlinkSocket.Route, group, _ns.Name);
        var expected = IPAddress.Parse(address);
        // nodad: IPv6 would otherwise hold the address tentative; the notification comes either way.
        string[] flags = expected.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? ["nodad"] : [];

        Assert.Equal(0, _ns.InNamespace(["addr", "add", $"{address}/{prefixLength}", "dev", "d0", .. flags]).ExitCode);
        var added = WaitFor(watch, e => e.Address.Address.Equals(expected));
        _ns.InNamespace("addr", "del", $"{address}/{prefixLength}", "dev", "d0");
        var removed = WaitFor(watch, e => e.Address.Address.Equals(expected) && !e.Added);

        Assert.NotNull(added);
        Assert.True(added.Added);
        Assert.Equal(_ns.D0Index, added.Address.InterfaceIndex);
        Assert.Equal(prefixLength, added.Address.PrefixLength);
        Assert.NotNull(removed);
        Assert.Equal(_ns.D0Index, removed.Address.InterfaceIndex);
    }

}
