using System.Text.Json.Nodes;
using Vigil.Agent.Appliers;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Cli.Output;

/// <summary>IPVS plans and apply results for people (+ / ~ / -, coloured on a terminal) and for machines (JSON).</summary>
internal static class IpvsChangePrinter
{
    public static void Text(Terminal terminal, string node, IpvsApplyResult result, IpvsPlan remaining)
    {
        foreach (var change in result.Applied)
        {
            terminal.Writer.WriteLine(Line(terminal, change));
        }
        foreach (var failure in result.Failed)
        {
            terminal.Writer.WriteLine($"{terminal.Red("failed")}: {failure.Error}");
        }
        foreach (var change in result.Skipped)
        {
            terminal.Writer.WriteLine($"{terminal.Yellow("skipped")}: {change} (its service could not be created)");
        }
        var verdict = remaining.IsEmpty ? terminal.Green("converged") : terminal.Red($"not converged, {remaining.Changes.Count} changes remain");
        terminal.Writer.WriteLine(
            $"node {node}: applied {result.Applied.Count}, failed {result.Failed.Count}, skipped {result.Skipped.Count}: {verdict}.");
    }

    public static JsonObject Json(string node, IpvsPlan plan) => new()
    {
        ["node"] = node,
        ["changes"] = new JsonArray([.. plan.Changes.Select(Json)]),
        ["summary"] = Summary(plan.Changes),
    };

    public static JsonObject Json(string node, IpvsApplyResult result, IpvsPlan remaining) => new()
    {
        ["node"] = node,
        ["applied"] = new JsonArray([.. result.Applied.Select(Json)]),
        ["failed"] = new JsonArray([.. result.Failed.Select(f => new JsonObject { ["change"] = Json(f.Change), ["error"] = f.Error })]),
        ["skipped"] = new JsonArray([.. result.Skipped.Select(Json)]),
        ["remaining"] = new JsonArray([.. remaining.Changes.Select(Json)]),
        ["converged"] = remaining.IsEmpty,
    };

    private static string Line(Terminal terminal, IpvsChange change)
    {
        var text = change.ToString();
        return change.Action switch
        {
            ChangeAction.Add => terminal.Green(text),
            ChangeAction.Edit => terminal.Yellow(text),
            _ => terminal.Red(text),
        };
    }

    private static JsonObject Json(IpvsChange change)
    {
        var json = new JsonObject
        {
            ["action"] = change.Action.ToString().ToLowerInvariant(),
            ["subject"] = change.Subject,
            ["service"] = change.Service.ToString(),
            ["destination"] = change.Destination?.ToString(),
            ["text"] = change.ToString(),
        };
        switch (change)
        {
            case AddService add: json["after"] = Json(add.Settings); break;
            case EditService edit: json["before"] = Json(edit.Before); json["after"] = Json(edit.After); break;
            case DeleteService delete: json["before"] = Json(delete.Before); break;
            case AddDestination add: json["after"] = Json(add.Settings); break;
            case EditDestination edit: json["before"] = Json(edit.Before); json["after"] = Json(edit.After); break;
            case DeleteDestination delete: json["before"] = Json(delete.Before); break;
        }
        return json;
    }

    private static JsonObject Json(IpvsServiceSettings settings) => new()
    {
        ["scheduler"] = settings.Scheduler,
        ["flags"] = settings.Flags.ToString(),
        ["timeoutSeconds"] = settings.TimeoutSeconds,
        ["netmaskPrefix"] = settings.NetmaskPrefix,
    };

    private static JsonObject Json(IpvsDestinationSettings settings) => new()
    {
        ["forwarding"] = settings.Forwarding.ToString().ToUpperInvariant(),
        ["weight"] = settings.Weight,
        ["upperThreshold"] = settings.UpperThreshold,
        ["lowerThreshold"] = settings.LowerThreshold,
    };

    private static JsonObject Summary(IReadOnlyList<IpvsChange> changes)
    {
        var counts = Counts(changes);
        return new JsonObject { ["add"] = counts[ChangeAction.Add], ["change"] = counts[ChangeAction.Edit], ["delete"] = counts[ChangeAction.Delete] };
    }

    private static Dictionary<ChangeAction, int> Counts(IReadOnlyList<IpvsChange> changes) =>
        Enum.GetValues<ChangeAction>().ToDictionary(a => a, a => changes.Count(c => c.Action == a));
}
