using System.Globalization;
using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Core.Rendering;

/// <summary>Routes and rules as lines of keepalived's static_routes/virtual_routes and static_rules/virtual_rules blocks.</summary>
internal static class KeepalivedRouting
{
    public static string Route(RouteSpec route)
    {
        var line = new StringBuilder();
        if (route.Type != RouteType.Unicast) line.Append(route.Type.ToString().ToLowerInvariant()).Append(' ');
        line.Append(route.To);
        if (route.Via is not null) line.Append(" via ").Append(route.Via);
        if (route.Dev is not null) line.Append(" dev ").Append(route.Dev);
        if (route.Src is not null) line.Append(" src ").Append(route.Src);
        if (route.Scope is { } scope) line.Append(" scope ").Append(scope.ToString().ToLowerInvariant());
        if (route.Table is { } table) line.Append(" table ").Append(table.ToString(CultureInfo.InvariantCulture));
        if (route.Metric is { } metric) line.Append(" metric ").Append(metric.ToString(CultureInfo.InvariantCulture));
        // keepalived tracks a route by its device; one without (a gateway alone, blackhole...) it would warn about.
        if (route.Dev is null) line.Append(" no_track");
        return line.ToString();
    }

    public static string Rule(RuleSpec rule)
    {
        var line = new StringBuilder();
        if (rule.Not) line.Append("not ");
        // keepalived takes the family from an address: a rule matching every source says so.
        line.Append("from ").Append(rule.From?.ToString() ?? (rule.EffectiveFamily == IpFamily.IPv6 ? "::/0" : "all"));
        if (rule.To is not null) line.Append(" to ").Append(rule.To);
        if (rule.Fwmark is { } mark)
        {
            line.Append(" fwmark ").Append(mark.ToString(CultureInfo.InvariantCulture));
            if (rule.Fwmask is { } mask) line.Append('/').Append(mask.ToString(CultureInfo.InvariantCulture));
        }
        if (rule.Iif is not null) line.Append(" iif ").Append(rule.Iif);
        if (rule.Oif is not null) line.Append(" oif ").Append(rule.Oif);
        if (rule.Priority is { } priority) line.Append(" preference ").Append(priority.ToString(CultureInfo.InvariantCulture));
        line.Append(rule.Action == RuleAction.Table ? $" table {rule.Table?.ToString(CultureInfo.InvariantCulture)}" : " " + rule.Action.ToString().ToLowerInvariant());
        return line.ToString();
    }
}
