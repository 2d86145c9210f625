using System.CommandLine;
using System.Text.Json.Nodes;
using Vigil.Cli.Output;
using Vigil.Source.Git;

namespace Vigil.Cli.Commands;

/// <summary>`vigil history`: the commits a node applied or refused, with time and outcome (its history file).</summary>
internal static class HistoryCommand
{
    public const string StateRoot = "/var/lib/vigil";

    public static Command Create()
    {
        var node = new Option<string?>("--node", "-n") { Description = $"The node whose history to show (read from {StateRoot}/NODE)." };
        var stateDirectory = new Option<string?>("--state-dir") { Description = "The agent's --state-dir, when not the default." };
        var limit = new Option<int>("--limit") { Description = "Show only the latest N entries (0: all).", DefaultValueFactory = _ => 20 };
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var command = new Command("history",
            "List the commits this node took, oldest first: when, which commit, the outcome (applied, partlyApplied, refused) and, for a refusal " +
            "or a partial apply, why (file:line of each error, or what the kernel refused). Roll back with `git revert` (see `vigil rollback`).\n" +
            "Exit codes: 0 shown, 1 no history found, 2 usage error.")
        {
            node,
            stateDirectory,
            limit,
            output,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(node) is null && result.GetValue(stateDirectory) is null)
            {
                result.AddError("give --node (or --state-dir)");
            }
        });
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(stateDirectory) ?? Path.Combine(StateRoot, parse.GetValue(node)!);
            var path = Path.Combine(directory, ApplyHistory.FileName);
            var entries = ApplyHistory.Read(path);
            var stdout = parse.InvocationConfiguration.Output;
            if (entries.Count == 0)
            {
                parse.InvocationConfiguration.Error.WriteLine($"vigil: no history in {path} (is the agent following a git repository with this --state-dir?)");
                return ExitCodes.Failed;
            }
            var shown = parse.GetValue(limit) is > 0 and var n ? entries.TakeLast(n).ToList() : entries;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                stdout.WriteLine(JsonText.Of(new JsonArray([.. shown.Select(Json)])));
                return ExitCodes.Ok;
            }
            var terminal = Terminal.ForStandardOutput(stdout);
            terminal.Writer.WriteLine($"{"TIME (UTC)",-23}  {"COMMIT",-12}  {"OUTCOME",-13}  {"TOOK",8}  SUBJECT");
            foreach (var entry in shown)
            {
                var outcome = $"{Camel(entry.Outcome),-13}";
                var painted = entry.Outcome switch
                {
                    ReconcileOutcome.Applied => terminal.Green(outcome),
                    ReconcileOutcome.Refused => terminal.Red(outcome),
                    _ => terminal.Yellow(outcome),
                };
                terminal.Writer.WriteLine($"{entry.At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}  {GitSource.Short(entry.Commit ?? "-"),-12}  {painted}  {entry.DurationMilliseconds,6:F0}ms  {entry.Subject}");
                foreach (var detail in entry.SignedBy is { } signer ? [$"signed by {signer}", .. entry.Details] : entry.Details)
                {
                    terminal.Writer.WriteLine($"{"",-23}  {"",-12}  {detail}");
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Camel(ReconcileOutcome outcome) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());

    private static JsonObject Json(HistoryEntry entry) => new()
    {
        ["at"] = entry.At,
        ["commit"] = entry.Commit,
        ["subject"] = entry.Subject,
        ["outcome"] = Camel(entry.Outcome),
        ["details"] = new JsonArray([.. entry.Details.Select(d => (JsonNode?)d)]),
        ["durationMs"] = entry.DurationMilliseconds,
        ["signedBy"] = entry.SignedBy,
    };
}
