using System.Net;
using System.Net.Sockets;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>
/// Routes and rules added, listed and deleted over rtnetlink in a namespace the test creates; iproute2 is the witness
/// (`ip route show table all proto 86`, `ip rule show`), and what iproute2 itself added is listed with its own protocol.
/// </summary>
public sealed class NamespaceRouteTests : IDisposable
{
    private readonly TestNamespace _ns = new();

    public void Dispose() => _ns.Dispose();

    private static KernelRoute Route(string to, int length, string? via = null, int? dev = null, uint table = 254, uint? metric = null,
        RouteType type = RouteType.Unicast, byte scope = 0, string? src = null) =>
        new(IPAddress.Parse(to), length, type, table, scope, via is null ? null : IPAddress.Parse(via), dev, src is null ? null : IPAddress.Parse(src), metric, RouteMessages.VigilProtocol);

    private bool Prepared()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        return _ns.InNamespace("addr", "add", "198.51.100.1/24", "dev", "d0").ExitCode == 0
            && _ns.InNamespace("addr", "add", "2001:db8::1/64", "dev", "d0", "nodad").ExitCode == 0;
    }

    [Fact]
    public void Routes_AddListDelete_AsIproute2SeesThem()
    {
        Assert.True(Prepared());
        using var client = RtnetlinkClient.OpenInNamespace(_ns.Name);
        var d0 = _ns.D0Index;
        KernelRoute[] routes =
        [
            Route("203.0.113.0", 24, via: "198.51.100.254"),
            Route("203.0.113.128", 25, dev: d0, table: 100, metric: 5, scope: RouteMessages.ScopeLink, src: "198.51.100.1"),
            Route("198.51.100.128", 25, type: RouteType.Blackhole),
            Route("2001:db8:1::", 48, via: "2001:db8::254", metric: 1024),
        ];
        foreach (var route in routes)
        {
            Assert.True(client.Add(route), route.ToString());
        }

        var shown = _ns.InNamespace("route", "show", "table", "all", "proto", "86").Output;
        Assert.Contains("203.0.113.0/24 via 198.51.100.254 dev d0", shown, StringComparison.Ordinal);
        Assert.Contains("203.0.113.128/25 dev d0 table 100 scope link src 198.51.100.1 metric 5", shown, StringComparison.Ordinal);
        Assert.Contains("blackhole 198.51.100.128/25", shown, StringComparison.Ordinal);
        Assert.Contains("2001:db8:1::/48 via 2001:db8::254 dev d0 metric 1024", shown, StringComparison.Ordinal);
        var listed = client.Routes();
        foreach (var route in routes)
        {
            Assert.Single(listed, route.Matches);
        }
        // The gateway's device is filled in by the kernel: the route given none still matches it, exactly.
        Assert.Equal(d0, listed.Single(routes[0].Matches).OutputInterface);
        Assert.Contains(listed, r => r.Protocol == 2 && r.Destination.Equals(IPAddress.Parse("198.51.100.0"))); // the kernel's own

        Assert.False(client.Add(routes[0])); // EEXIST: already there
        foreach (var route in listed.Where(r => r.Protocol == RouteMessages.VigilProtocol))
        {
            Assert.True(client.Delete(route), route.ToString());
        }
        Assert.Equal("", _ns.InNamespace("route", "show", "table", "all", "proto", "86").Output.Trim());
        Assert.False(client.Delete(routes[2])); // ESRCH: already gone
    }

    [Fact]
    public void Rules_AddListDelete_AsIproute2SeesThem()
    {
        Assert.True(Prepared());
        using var client = RtnetlinkClient.OpenInNamespace(_ns.Name);
        KernelRule Rule(AddressFamily family, string? from, int fromLength, string? to = null, int toLength = 0, RuleAction action = RuleAction.Table,
            uint table = 100, uint? priority = null, uint? mark = null, uint? mask = null, string? iif = null, bool invert = false) =>
            new(family, from is null ? null : IPAddress.Parse(from), fromLength, to is null ? null : IPAddress.Parse(to), toLength, action,
                action == RuleAction.Table ? table : 0, priority, mark, mask, iif, null, invert, RouteMessages.VigilProtocol);
        KernelRule[] rules =
        [
            Rule(AddressFamily.InterNetwork, "198.51.100.0", 24, priority: 100),
            Rule(AddressFamily.InterNetwork, null, 0, mark: 0x10, mask: 0xff, iif: "d0", priority: 101),
            Rule(AddressFamily.InterNetwork, null, 0, to: "203.0.113.0", toLength: 24, action: RuleAction.Prohibit, invert: true, priority: 102),
            Rule(AddressFamily.InterNetworkV6, "2001:db8::", 64), // the kernel picks its priority
        ];
        foreach (var rule in rules)
        {
            Assert.True(client.Add(rule), rule.ToString());
        }

        var shown = _ns.InNamespace("rule", "show").Output + _ns.InNamespace("-6", "rule", "show").Output;
        Assert.Contains("100:\tfrom 198.51.100.0/24 lookup 100 proto 86", shown, StringComparison.Ordinal);
        Assert.Contains("101:\tfrom all fwmark 0x10/0xff iif d0 lookup 100 proto 86", shown, StringComparison.Ordinal);
        Assert.Contains("102:\tnot from all to 203.0.113.0/24 prohibit proto 86", shown, StringComparison.Ordinal);
        Assert.Contains("from 2001:db8::/64 lookup 100 proto 86", shown, StringComparison.Ordinal);
        var listed = client.Rules();
        foreach (var rule in rules)
        {
            Assert.Single(listed, rule.Matches);
        }
        Assert.Contains(listed, r => r.Protocol != RouteMessages.VigilProtocol && r.Table == RouteMessages.MainTable); // the kernel's own

        Assert.False(client.Add(rules[0]));
        foreach (var rule in listed.Where(r => r.Protocol == RouteMessages.VigilProtocol))
        {
            Assert.True(client.Delete(rule), rule.ToString());
        }
        Assert.DoesNotContain("proto 86", _ns.InNamespace("rule", "show").Output + _ns.InNamespace("-6", "rule", "show").Output, StringComparison.Ordinal);
        Assert.False(client.Delete(rules[0]));
    }
}
