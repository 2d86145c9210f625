using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>Routes, rules and the node's static addresses as the kernel takes them: Vigil's specs resolved against this node's links.</summary>
/// <param name="Problems">One line per entry left out because it names a device this node does not have.</param>
public sealed record RoutingEntries(IReadOnlyList<KernelRoute> Routes, IReadOnlyList<KernelRule> Rules, IReadOnlyList<string> Problems)
{
    public static readonly RoutingEntries None = new([], [], []);

    /// <summary>keepalived's static_ipaddress: added before the routes (a route's src may be one), removed after them.</summary>
    public IReadOnlyList<InterfaceAddress> Addresses { get; init; } = [];

    public RoutingEntries And(RoutingEntries other) =>
        new([.. Routes, .. other.Routes], [.. Rules, .. other.Rules], [.. Problems, .. other.Problems]) { Addresses = [.. Addresses, .. other.Addresses] };

    /// <summary>The node's static addresses on its links; one whose device is missing is left out, and said.</summary>
    public static RoutingEntries StaticAddresses(IReadOnlyList<VirtualAddressSpec> addresses, IReadOnlyList<NetworkLink> links)
    {
        var problems = new List<string>();
        var resolved = new List<InterfaceAddress>();
        foreach (var spec in addresses)
        {
            if (links.FirstOrDefault(l => l.Name == spec.Dev) is not { } link)
            {
                problems.Add($"node: static address {spec.Address} not added: interface {spec.Dev} does not exist on this node");
                continue;
            }
            resolved.Add(Vrrp.Engine.VirtualAddresses.On(link, spec));
        }
        return new RoutingEntries([], [], problems) { Addresses = resolved };
    }

    /// <summary>Resolves <paramref name="routes"/> and <paramref name="rules"/> of <paramref name="owner"/> (for the problems' lines).</summary>
    public static RoutingEntries Resolve(IReadOnlyList<RouteSpec> routes, IReadOnlyList<RuleSpec> rules, IReadOnlyList<NetworkLink> links, string owner)
    {
        var problems = new List<string>();
        var kernelRoutes = new List<KernelRoute>();
        foreach (var route in routes)
        {
            int? index = null;
            if (route.Dev is { } dev)
            {
                if (links.FirstOrDefault(l => l.Name == dev) is not { } link)
                {
                    problems.Add($"{owner}: route to {route.To} not added: interface {dev} does not exist on this node");
                    continue;
                }
                index = link.Index;
            }
            kernelRoutes.Add(Route(route, index));
        }
        return new RoutingEntries(kernelRoutes, [.. rules.Select(Rule)], problems);
    }

    /// <summary>As `ip route add` writes it: scope link for a unicast route without a gateway; IPv6's default metric 1024.</summary>
    public static KernelRoute Route(RouteSpec route, int? interfaceIndex)
    {
        var ipv6 = route.To.Family == AddressFamily.InterNetworkV6;
        var scope = route.Scope is { } given ? Vrrp.Engine.VirtualAddresses.Scope(given)
            : route.Type == Core.Desired.RouteType.Unicast && route.Via is null && !ipv6 ? RouteMessages.ScopeLink : RouteMessages.ScopeUniverse;
        // The network's own address: the kernel refuses a destination with host bits set.
        var destination = Network(route.To);
        return new KernelRoute(destination, route.To.PrefixLength, (Netlink.Rtnetlink.RouteType)(route.Type switch
        {
            Core.Desired.RouteType.Blackhole => 6,
            Core.Desired.RouteType.Unreachable => 7,
            Core.Desired.RouteType.Prohibit => 8,
            _ => 1,
        }), (uint)(route.Table ?? RouteMessages.MainTable), ipv6 ? RouteMessages.ScopeUniverse : scope, route.Via, interfaceIndex, route.Src,
            route.Metric is { } metric ? (uint)metric : ipv6 ? 1024u : null, RouteMessages.VigilProtocol);
    }

    public static KernelRule Rule(RuleSpec rule)
    {
        var family = rule.EffectiveFamily == IpFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var action = rule.Action switch
        {
            Core.Desired.RuleAction.Blackhole => Netlink.Rtnetlink.RuleAction.Blackhole,
            Core.Desired.RuleAction.Unreachable => Netlink.Rtnetlink.RuleAction.Unreachable,
            Core.Desired.RuleAction.Prohibit => Netlink.Rtnetlink.RuleAction.Prohibit,
            _ => Netlink.Rtnetlink.RuleAction.Table,
        };
        return new KernelRule(family, rule.From is { } from ? Network(from) : null, rule.From?.PrefixLength ?? 0,
            rule.To is { } to ? Network(to) : null, rule.To?.PrefixLength ?? 0, action, (uint)(rule.Table ?? 0),
            (uint?)rule.Priority, (uint?)rule.Fwmark, (uint?)rule.Fwmask, rule.Iif, rule.Oif, rule.Not, RouteMessages.VigilProtocol);
    }

    private static IPAddress Network(IpPrefix prefix)
    {
        var bytes = prefix.Address.GetAddressBytes();
        for (var bit = prefix.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPAddress(bytes);
    }
}
