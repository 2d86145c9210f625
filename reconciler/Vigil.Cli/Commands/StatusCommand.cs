using System.CommandLine;
using System.Text.Json.Nodes;
using Vigil.Cli.Output;

namespace Vigil.Cli.Commands;

/// <summary>`vigil status`: what the agents on this machine report (their status files).</summary>
internal static class StatusCommand
{
    public const string DefaultDirectory = "/run/vigil";

    public static Command Create()
    {
        var files = new Argument<string[]>("status-file")
        {
            Description = $"Status files to read (default: every *.json in {DefaultDirectory}).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var command = new Command("status",
            "Show each running instance: state, priority, the master last heard, since when and why, adverts sent and " +
            "received, drops by reason, and address changes others made on managed interfaces (drift).\nExit codes: 0 shown, 1 no agent status found, 2 usage error.")
        {
            files,
            output,
        };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(files) is { Length: > 0 } given ? given
                : Directory.Exists(DefaultDirectory) ? Directory.GetFiles(DefaultDirectory, "*.json").Order(StringComparer.Ordinal).ToArray()
                : [];
            var agents = new List<JsonObject>();
            foreach (var path in paths)
            {
                if (AgentStatusFileOptions.Read(path, parse.InvocationConfiguration.Error) is { } agent)
                {
                    agent["running"] = IsRunning(agent["pid"]?.GetValue<int>());
                    agents.Add(agent);
                }
            }
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                stdout.WriteLine(JsonText.Of(new JsonArray([.. agents])));
            }
            else
            {
                Print(Terminal.ForStandardOutput(stdout), agents);
            }
            if (agents.Count == 0)
            {
                parse.InvocationConfiguration.Error.WriteLine($"vigil: no agent status found{(paths.Length == 0 ? $" in {DefaultDirectory}" : "")}");
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool IsRunning(int? pid) => pid is { } p && Vigil.Agent.AgentStatus.IsRunning(p);

    /// <summary>The running commit, the last good one when it differs, the last error and what is not applied.</summary>
    private static void PrintSource(Terminal terminal, JsonObject source)
    {
        if ((string?)source["commit"] is { } commit)
        {
            var good = (string?)source["lastGood"];
            terminal.Writer.WriteLine($"  commit {Vigil.Source.Git.GitSource.Short(commit)} \"{source["subject"]}\", last outcome {source["lastOutcome"]} at {source["reconciledAt"]}" +
                (good is not null && good != commit ? $", last good {Vigil.Source.Git.GitSource.Short(good)}" : ""));
        }
        if ((string?)source["lastError"] is { } error)
        {
            terminal.Writer.WriteLine(terminal.Red($"  error: {error}"));
        }
        foreach (var line in source["notApplied"]?.AsArray() ?? [])
        {
            terminal.Writer.WriteLine(terminal.Red($"  not applied: {line}"));
        }
    }

    private static void Print(Terminal terminal, List<JsonObject> agents)
    {
        foreach (var agent in agents)
        {
            var running = agent["running"]!.GetValue<bool>() ? "" : terminal.Red(" (not running: stale status)");
            terminal.Writer.WriteLine($"node {terminal.Bold((string)agent["node"]!)} (pid {agent["pid"]}){running}, config {agent["configPath"]}, loaded {agent["loadedAt"]}");
            if (agent["source"] is JsonObject source)
            {
                PrintSource(terminal, source);
            }
            terminal.Writer.WriteLine($"  {"INSTANCE",-16} {"STATE",-10} {"PRIO",4} {"MASTER SEEN",-24} {"SENT",8} {"RECEIVED",8}  SINCE / DROPS");
            foreach (var instance in agent["instances"]!.AsArray().OfType<JsonObject>())
            {
                var state = (string)instance["state"]!;
                var painted = state == "Master" ? terminal.Green($"{state,-10}") : state == "Fault" ? terminal.Red($"{state,-10}") : $"{state,-10}";
                var drops = instance["dropped"]!.AsObject().Select(d => $"{d.Key}={d.Value}").ToList();
                terminal.Writer.WriteLine(
                    $"  {(string)instance["name"]!,-16} {painted} {instance["priority"],4} {(string?)instance["masterSeen"] ?? "-",-24} " +
                    $"{instance["advertisementsSent"],8} {instance["advertisementsReceived"],8}  {instance["since"]} ({instance["reason"]})" +
                    (drops.Count > 0 ? $"; dropped {string.Join(", ", drops)}" : ""));
            }
            // Address changes made by others on managed interfaces: the latest of each kind, with the count.
            var counts = agent["addressDriftCounts"]?.AsObject() ?? [];
            foreach (var (kind, count) in counts)
            {
                var latest = agent["addressDrift"]?.AsArray().OfType<JsonObject>().LastOrDefault(d => (string?)d["kind"] == kind);
                terminal.Writer.WriteLine(terminal.Red($"  drift: {kind} x{count}") +
                    (latest is null ? "" : $", latest {latest["address"]} {latest["change"]} ({latest["instance"]}) at {latest["at"]}"));
            }
        }
    }
}
