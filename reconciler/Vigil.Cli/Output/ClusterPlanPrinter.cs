using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Core.Planning;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Cli.Output;

/// <summary>One side of a plan between commits: the revision as given, the commit it names, its validation.</summary>
internal sealed record PlanSide(string Revision, FetchedCommit Commit, LoadResult Load)
{
    public string Label => $"{Revision} ({GitSource.Short(Commit.Sha)})";

    /// <summary>With fault isolation, the units nodes would keep at the base while the rest of this (invalid) side applies.</summary>
    public IReadOnlyList<HeldUnit> Held { get; init; } = [];

    /// <summary>The revision nodes would apply instead, with <see cref="Held"/> kept back.</summary>
    public LoadResult? Composed { get; init; }

    /// <summary>With --verify-commits, why no agent verifying the same way would apply this side (null: it would).</summary>
    public string? Untrusted { get; init; }

    /// <summary>With --verify-commits, who signed this side, when it is trusted.</summary>
    public string? SignedBy { get; init; }
}

/// <summary>
/// The plan between two commits for people (text, coloured on a terminal), for a pull-request comment (markdown)
/// and for machines (JSON). Every format carries the validation of the head commit.
/// </summary>
internal static class ClusterPlanPrinter
{
    public static void Text(Terminal terminal, PlanSide from, PlanSide to, ClusterPlan? plan)
    {
        terminal.Writer.WriteLine($"vigil plan: {from.Label} -> {to.Label}");
        DiagnosticsPrinter.Text(terminal, to.Label, to.Load);
        if (!from.Load.IsValid)
        {
            terminal.Writer.WriteLine(terminal.Yellow($"{from.Label} is invalid: planned as if every node started from nothing"));
        }
        if (to.Untrusted is { } untrusted)
        {
            terminal.Writer.WriteLine(terminal.Red($"{to.Label} is not trusted: {untrusted}"));
        }
        if (to.SignedBy is { } signer)
        {
            terminal.Writer.WriteLine($"{to.Label} is signed by {signer}");
        }
        if (plan is null)
        {
            terminal.Writer.WriteLine(terminal.Red($"No plan: the head commit is {(to.Untrusted is null ? "invalid" : "not trusted")}, no node would apply it."));
            return;
        }
        if (to.Held.Count > 0)
        {
            terminal.Writer.WriteLine(terminal.Yellow($"Fault isolation: nodes keep {to.Held.Count} unit(s) at their last good commit and apply the rest:"));
            foreach (var held in to.Held)
            {
                terminal.Writer.WriteLine(terminal.Yellow("  " + held));
            }
        }
        foreach (var node in plan.Nodes)
        {
            terminal.Writer.WriteLine(node.Changes.Count == 0 ? $"node {node.Node}: no changes" : $"node {terminal.Bold(node.Node)}: {Count(node.Changes.Count)}");
            foreach (var change in node.Changes)
            {
                var line = "  " + change;
                terminal.Writer.WriteLine(change.Kind switch
                {
                    ChangeAction.Add => terminal.Green(line),
                    ChangeAction.Edit => terminal.Yellow(line),
                    _ => terminal.Red(line),
                });
            }
        }
        if (plan.Rollouts.Count > 0)
        {
            terminal.Writer.WriteLine("Rollout order (the README's change-order table):");
            foreach (var rollout in plan.Rollouts)
            {
                terminal.Writer.WriteLine($"  {terminal.Bold(rollout.Instance)} ({rollout.Reason})");
                foreach (var step in rollout.Steps)
                {
                    terminal.Writer.WriteLine($"    {step}");
                }
            }
        }
        terminal.Writer.WriteLine(Summary(plan));
    }

    public static void Markdown(TextWriter writer, PlanSide from, PlanSide to, ClusterPlan? plan)
    {
        writer.WriteLine($"### Vigil plan: `{from.Revision}` ({GitSource.Short(from.Commit.Sha)}) → `{to.Revision}` ({GitSource.Short(to.Commit.Sha)})");
        writer.WriteLine();
        var load = to.Load;
        writer.WriteLine($"**{(load.IsValid ? "Valid" : "Invalid")}**: {load.Files} file(s), {load.Documents} document(s), {load.ErrorCount} error(s), {load.WarningCount} warning(s).");
        if (load.Diagnostics.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("```");
            foreach (var diagnostic in load.Diagnostics)
            {
                writer.WriteLine(diagnostic.ToString());
            }
            writer.WriteLine("```");
        }
        if (!from.Load.IsValid)
        {
            writer.WriteLine();
            writer.WriteLine($"`{from.Revision}` is invalid: planned as if every node started from nothing.");
        }
        writer.WriteLine();
        if (to.Untrusted is { } untrusted)
        {
            writer.WriteLine($"**Not trusted**: {untrusted}");
            writer.WriteLine();
        }
        if (to.SignedBy is { } signer)
        {
            writer.WriteLine($"Signed by {signer}.");
            writer.WriteLine();
        }
        if (plan is null)
        {
            writer.WriteLine($"**No plan**: the head commit is {(to.Untrusted is null ? "invalid" : "not trusted")}, no node would apply it.");
            return;
        }
        if (to.Held.Count > 0)
        {
            writer.WriteLine($"**Fault isolation**: nodes keep {to.Held.Count} unit(s) at their last good commit and apply the rest:");
            writer.WriteLine();
            foreach (var held in to.Held)
            {
                writer.WriteLine($"- {held}");
            }
            writer.WriteLine();
        }
        writer.WriteLine($"**{Summary(plan)}**");
        foreach (var node in plan.Nodes)
        {
            writer.WriteLine();
            if (node.Changes.Count == 0)
            {
                writer.WriteLine($"#### {node.Node}: no changes");
                continue;
            }
            writer.WriteLine($"#### {node.Node}: {Count(node.Changes.Count)}");
            writer.WriteLine();
            // A diff block: GitHub and GitLab colour the + and - lines.
            writer.WriteLine("```diff");
            foreach (var change in node.Changes)
            {
                writer.WriteLine(change.ToString());
            }
            writer.WriteLine("```");
        }
        if (plan.Rollouts.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("#### Rollout order");
            writer.WriteLine();
            foreach (var rollout in plan.Rollouts)
            {
                writer.WriteLine($"- `{rollout.Instance}` ({rollout.Reason}): {string.Join(" ", rollout.Steps)}");
            }
        }
    }

    public static JsonObject Json(PlanSide from, PlanSide to, ClusterPlan? plan) => new()
    {
        ["base"] = Json(from),
        ["head"] = Json(to),
        ["validation"] = DiagnosticsPrinter.Json(to.Label, to.Load),
        ["changes"] = plan?.ChangeCount,
        ["heldUnits"] = new JsonArray([.. to.Held.Select(h => (JsonNode)new JsonObject
        {
            ["unit"] = h.Unit,
            ["commit"] = h.Commit,
            ["reason"] = h.Reason,
        })]),
        ["nodes"] = plan is null ? null : new JsonArray([.. plan.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["node"] = n.Node,
            ["changes"] = new JsonArray([.. n.Changes.Select(Json)]),
        })]),
        ["rollouts"] = plan is null ? null : new JsonArray([.. plan.Rollouts.Select(r => (JsonNode)new JsonObject
        {
            ["instance"] = r.Instance,
            ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(r.Kind.ToString()),
            ["reason"] = r.Reason,
            ["steps"] = new JsonArray([.. r.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["turn"] = s.Turn,
                ["node"] = s.Node,
                ["role"] = s.Role,
                ["after"] = s.After,
            })]),
        })]),
    };

    private static JsonObject Json(PlanSide side) => new()
    {
        ["revision"] = side.Revision,
        ["commit"] = side.Commit.Sha,
        ["subject"] = side.Commit.Subject,
        ["valid"] = side.Load.IsValid,
        ["untrusted"] = side.Untrusted,
        ["signedBy"] = side.SignedBy,
    };

    private static JsonObject Json(ConfigChange change) => new()
    {
        ["action"] = change.Kind.ToString().ToLowerInvariant(),
        ["target"] = change.TargetName,
        ["name"] = change.Name,
        ["field"] = change.Field,
        ["before"] = change.Before,
        ["after"] = change.After,
        ["note"] = change.Note,
        ["text"] = change.ToString(),
    };

    private static string Count(int changes) => changes == 1 ? "1 change" : $"{changes} changes";

    private static string Summary(ClusterPlan plan)
    {
        var changed = plan.Nodes.Count(n => n.Changes.Count > 0);
        return plan.IsEmpty
            ? $"No changes on {plan.Nodes.Count} node(s)."
            : $"Plan: {Count(plan.ChangeCount)} on {changed} of {plan.Nodes.Count} node(s).";
    }
}
