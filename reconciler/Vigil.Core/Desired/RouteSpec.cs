using System.Net;

namespace Vigil.Core.Desired;

public enum RouteType { Unicast, Blackhole, Unreachable, Prohibit }

/// <summary>
/// A route Vigil keeps on the kernel: a VrrpInstance's <c>virtualRoutes</c> (while it is master, keepalived's
/// virtual_routes) or a node's <c>staticRoutes</c> (always, keepalived's static_routes). Marked with Vigil's own
/// protocol on the kernel, so that Vigil knows its routes and never touches anyone else's.
/// </summary>
public sealed record RouteSpec
{
    public IpPrefix To { get; init; }
    public RouteType Type { get; init; } = RouteType.Unicast;
    public IPAddress? Via { get; init; }
    /// <summary>The output device; for a virtual route, the instance's interface when neither it nor <see cref="Via"/> is set.</summary>
    public string? Dev { get; init; }
    /// <summary>The preferred source address (often a VIP).</summary>
    public IPAddress? Src { get; init; }
    /// <summary>By default link for a unicast route without a gateway, else global (as `ip route add` chooses).</summary>
    public AddressScope? Scope { get; init; }
    /// <summary>1-4294967295; 254 (main) when not set.</summary>
    public long? Table { get; init; }
    public long? Metric { get; init; }
}

public enum RuleAction { Table, Blackhole, Unreachable, Prohibit }

/// <summary>A policy-routing rule Vigil keeps: a VrrpInstance's <c>virtualRules</c> or a node's <c>staticRules</c>.</summary>
public sealed record RuleSpec
{
    public IpPrefix? From { get; init; }
    public IpPrefix? To { get; init; }
    /// <summary>Needed with the table action (the default).</summary>
    public long? Table { get; init; }
    public RuleAction Action { get; init; } = RuleAction.Table;
    /// <summary>keepalived's preference; required by the schema (rules are tried in its order).</summary>
    public long? Priority { get; init; }
    public long? Fwmark { get; init; }
    public long? Fwmask { get; init; }
    public string? Iif { get; init; }
    public string? Oif { get; init; }
    /// <summary>Matches what the selectors do not (ip rule not).</summary>
    public bool Not { get; init; }
    /// <summary>Derived from from/to; needed when neither is set.</summary>
    public IpFamily? Family { get; init; }

    public IpFamily? EffectiveFamily => From is { } from ? FamilyOf(from) : To is { } to ? FamilyOf(to) : Family;

    private static IpFamily FamilyOf(IpPrefix prefix) =>
        prefix.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;
}
