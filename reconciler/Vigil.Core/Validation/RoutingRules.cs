using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>
/// Routes and rules (an instance's virtualRoutes/virtualRules, a node's static ones): what `ip
/// route` and `ip rule` would refuse, said with the field before anything reaches the kernel.
/// </summary>
internal static class RoutingRules
{
    public static void Check(DesiredState state, DiagnosticBag bag)
    {
        foreach (var instance in state.VrrpInstances)
        {
            CheckRoutes(instance.Origin, "spec.virtualRoutes", instance.Spec.VirtualRoutes, bag);
            CheckRules(instance.Origin, "spec.virtualRules", instance.Spec.VirtualRules, bag);
        }
        if (state.Cluster is not { } cluster)
        {
            return;
        }
        for (var n = 0; n < cluster.Spec.Nodes.Count; n++)
        {
            var node = cluster.Spec.Nodes[n];
            CheckRoutes(cluster.Origin, $"spec.nodes[{n}].staticRoutes", node.StaticRoutes, bag);
            CheckRules(cluster.Origin, $"spec.nodes[{n}].staticRules", node.StaticRules, bag);
        }
    }

    private static void CheckRoutes(SourceOrigin origin, string list, IReadOnlyList<RouteSpec> routes, DiagnosticBag bag)
    {
        var seen = new Dictionary<(IPAddress, int, long), int>();
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var field = $"{list}[{i}]";
            var family = route.To.Family;
            if (route.To.PrefixLength > route.To.MaxPrefixLength)
            {
                bag.Error(origin, $"{field}.to", "prefix-length", $"{route.To} has a prefix longer than {route.To.MaxPrefixLength}");
            }
            SameFamily(origin, $"{field}.via", route.Via, family, "the destination", bag);
            SameFamily(origin, $"{field}.src", route.Src, family, "the destination", bag);
            if (route.Type != RouteType.Unicast && (route.Via is not null || route.Dev is not null))
            {
                bag.Error(origin, route.Via is not null ? $"{field}.via" : $"{field}.dev", "route-type",
                    $"a {route.Type.ToString().ToLowerInvariant()} route has no gateway or device");
            }
            if (!seen.TryAdd((route.To.Address, route.To.PrefixLength, route.Table ?? 254), i))
            {
                bag.Error(origin, field, "route-unique", $"a route to {route.To} in table {route.Table ?? 254} is already listed at [{seen[(route.To.Address, route.To.PrefixLength, route.Table ?? 254)]}]");
            }
        }
    }

    private static void CheckRules(SourceOrigin origin, string list, IReadOnlyList<RuleSpec> rules, DiagnosticBag bag)
    {
        var seen = new Dictionary<RuleSpec, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var field = $"{list}[{i}]";
            if (rule is { From: { } from, To: { } to } && from.Family != to.Family)
            {
                bag.Error(origin, $"{field}.to", "family", $"{to} is not the same family as from ({from})");
            }
            if (rule.Family is { } family && (rule.From ?? rule.To) is { } prefix && FamilyOf(prefix.Family) != family)
            {
                bag.Error(origin, $"{field}.family", "family", $"family {family} but {prefix} is {FamilyOf(prefix.Family)}");
            }
            if (rule.Action == RuleAction.Table && rule.Table is null)
            {
                bag.Error(origin, $"{field}.table", "rule-table", "a rule with the table action needs a table");
            }
            if (rule.Action != RuleAction.Table && rule.Table is not null)
            {
                bag.Error(origin, $"{field}.table", "rule-table", $"a {rule.Action.ToString().ToLowerInvariant()} rule looks up no table");
            }
            if (rule.Fwmask is not null && rule.Fwmark is null)
            {
                bag.Error(origin, $"{field}.fwmask", "rule-fwmask", "fwmask without fwmark");
            }
            if (!seen.TryAdd(rule, i))
            {
                bag.Error(origin, field, "rule-unique", $"the same rule is already listed at [{seen[rule]}]");
            }
        }
    }

    private static void SameFamily(SourceOrigin origin, string field, IPAddress? address, AddressFamily family, string what, DiagnosticBag bag)
    {
        if (address is not null && address.AddressFamily != family)
        {
            bag.Error(origin, field, "family", $"{address} is not the same family as {what}");
        }
    }

    private static IpFamily FamilyOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;
}
