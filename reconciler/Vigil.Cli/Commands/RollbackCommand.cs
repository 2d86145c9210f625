using System.CommandLine;
using System.Text.Json.Nodes;
using Vigil.Cli.Output;
using Vigil.Core.Planning;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Cli.Commands;

/// <summary>`vigil rollback --to SHA`: revert commits in a local clone, then show what the nodes will see.</summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--to") { Description = "The commit to return to (SHA, tag, HEAD~2...): every later commit of the branch is reverted.", Required = true };
        var repository = new Option<string>("--repo") { Description = "The local clone (default: the current folder's repository).", DefaultValueFactory = _ => "." };
        var folder = new Option<string>("--path") { Description = "The repository's folder holding the YAML, for the plan shown afterwards.", DefaultValueFactory = _ => "" };
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var command = new Command("rollback",
            "Return the cluster to an earlier commit the git way: one `git revert` commit per later commit, newest first, on the current branch of a " +
            "local clone; history is never rewritten. Prints the revert commits and the plan they make (what each node will change); push them " +
            "and every agent applies them like any commit. A revert that conflicts leaves the clone as it was.\n" +
            "Exit codes: 0 revert commits made (or nothing to revert), 1 failed (nothing committed), 2 usage error.")
        {
            target,
            repository,
            folder,
            output,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(repository)!;
            RollbackResult result;
            try
            {
                result = Rollback.To(path, parse.GetValue(target)!);
            }
            catch (GitSourceException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"vigil: {e.Message}");
                return ExitCodes.Failed;
            }
            ClusterPlan? plan = null;
            if (result.NewHead is { } head)
            {
                using var commits = new LocalCommits(path);
                var loader = new DesiredStateLoader();
                var after = loader.Load(commits.Files(head, parse.GetValue(folder)!), parse.GetValue(folder)!).State;
                plan = after is null ? null : ClusterPlanner.Between(loader.Load(commits.Files(result.From.Sha, parse.GetValue(folder)!), parse.GetValue(folder)!).State, after);
            }
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                stdout.WriteLine(JsonText.Of(new JsonObject
                {
                    ["from"] = result.From.Sha,
                    ["reverted"] = new JsonArray([.. result.Reverted.Select(c => (JsonNode)Json(c))]),
                    ["created"] = new JsonArray([.. result.Created.Select(c => (JsonNode)Json(c))]),
                    ["changes"] = plan?.ChangeCount,
                }));
                return ExitCodes.Ok;
            }
            if (result.Created.Count == 0)
            {
                stdout.WriteLine($"nothing to roll back: {GitSource.Short(result.From.Sha)} is already that commit");
                return ExitCodes.Ok;
            }
            foreach (var created in result.Created)
            {
                stdout.WriteLine($"{GitSource.Short(created.Sha)} {created.Subject}");
            }
            stdout.WriteLine($"made {result.Created.Count} revert commit(s); the nodes will see:");
            foreach (var node in plan?.Nodes ?? [])
            {
                stdout.WriteLine(node.Changes.Count == 0 ? $"node {node.Node}: no changes" : $"node {node.Node}:");
                foreach (var change in node.Changes)
                {
                    stdout.WriteLine($"  {change}");
                }
            }
            stdout.WriteLine("push the branch to roll back (git push); undo before pushing with git reset --hard " + GitSource.Short(result.From.Sha));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonObject Json(FetchedCommit commit) => new() { ["commit"] = commit.Sha, ["subject"] = commit.Subject };
}
