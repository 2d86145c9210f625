using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>Links listed and watched in a namespace the test creates: what trackInterfaces and GARP rely on.</summary>
public sealed class NamespaceLinkTests : IDisposable
{
    private readonly TestNamespace _ns = new();

    private static bool WaitFor(NetlinkSocket watch, Func<NetworkLink, bool> match) =>
        Notifications.WaitFor<NetworkLink>(watch, LinkMessages.TryParse, match) is not null;

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void LinkDump_GivesIndexMacAndState_AsIproute2Does()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var socket = NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, _ns.Name);
        var links = socket.Dump<NetworkLink>(LinkMessages.DumpRequest(socket.NextSequence()), LinkMessages.TryParse, "list links");

        var d0 = Assert.Single(links, l => l.Name == "d0");
        Assert.Equal(_ns.D0Index, d0.Index);
        var mac = string.Join(':', d0.HardwareAddress!.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains($"link/ether {mac} ", _ns.InNamespace("-o", "link", "show", "d0").Output, StringComparison.Ordinal);
        Assert.True(d0.AdministrativelyUp);
        Assert.False(d0.LowerUp); // its peer d1 is down: no carrier
        Assert.False(Assert.Single(links, l => l.Name == "d1").AdministrativelyUp);
        Assert.Contains(links, l => l.Name == "lo");
    }

    [Fact]
    public void LinkWatch_ReportsCarrierAndAdministrativeChanges()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var watch = NetlinkSocket.OpenSubscribed(NetlinkSocket.Route, LinkMessages.LinkGroup, _ns.Name);

        _ns.InNamespace("link", "set", "d1", "up");
        Assert.True(WaitFor(watch, l => l.Name == "d0" && l.IsUp), "no event saying d0 has carrier once its peer is up");

        _ns.InNamespace("link", "set", "d0", "down");
        Assert.True(WaitFor(watch, l => l.Name == "d0" && !l.AdministrativelyUp), "no event saying d0 went down");
    }

}
