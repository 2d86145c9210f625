using Vigil.Agent;
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
        var cluster = new Option<bool>("--cluster")
        {
            Description = "Every node of the cluster side by side, asked over peer status (the Cluster's peerStatus) with the key this node holds.",
        };
        var command = new Command("status",
            "Show each running instance: state, priority, the master last heard, since when and why, adverts sent and " +
            "received, drops by reason, and address changes others made on managed interfaces (drift). With --cluster, every node's.\n" +
            "Exit codes: 0 shown, 1 no agent status found (--cluster: a node did not answer), 2 usage error.")
        {
            files,
            output,
            cluster,
        };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(files) is { Length: > 0 } given ? given
                : Directory.Exists(DefaultDirectory) ? Directory.GetFiles(DefaultDirectory, "*.json").Order(StringComparer.Ordinal).ToArray()
                : [];
            var agents = new List<(StatusDocument Status, bool Running)>();
            foreach (var path in paths)
            {
                if (AgentStatusFileOptions.Read(path, parse.InvocationConfiguration.Error) is { } agent)
                {
                    agents.Add((agent, Vigil.Agent.AgentStatus.IsRunning(agent.Pid)));
                }
            }
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(cluster))
            {
                return ClusterStatus.Show(agents, parse.GetValue(output) == OutputFormat.Json, stdout, parse.InvocationConfiguration.Error);
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                stdout.WriteLine(JsonText.Of(new JsonArray([.. agents.Select(a =>
                {
                    var json = a.Status.ToJsonObject();
                    json["running"] = a.Running;
                    return (JsonNode)json;
                })])));
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

    /// <summary>The running commit, the last good one when it differs, the last error, held units and what is not applied.</summary>
    private static void PrintSource(Terminal terminal, SourceDocument source)
    {
        if (source.Commit is { } commit)
        {
            var good = source.LastGood;
            terminal.Writer.WriteLine($"  commit {Vigil.Source.Git.GitSource.Short(commit)} \"{source.Subject}\", last outcome {source.LastOutcome} at {JsonText.Time(source.ReconciledAt)}" +
                (good is not null && good != commit ? $", last good {Vigil.Source.Git.GitSource.Short(good)}" : "") +
                (source.SignedBy is { } signer ? $", signed by {signer}" : ""));
        }
        if (source.LastError is { } error)
        {
            terminal.Writer.WriteLine(terminal.Red($"  error: {error}"));
        }
        foreach (var held in source.HeldUnits)
        {
            terminal.Writer.WriteLine(terminal.Yellow($"  {new Vigil.Source.HeldUnit(held.Unit, held.Commit, held.Reason)}"));
        }
        foreach (var line in source.NotApplied)
        {
            terminal.Writer.WriteLine(terminal.Red($"  not applied: {line}"));
        }
    }

    /// <summary>"rollout: waiting for ka2 to apply ... (since 12:00:01, until 12:05:01)": the node's turn, painted by its verdict.</summary>
    internal static string? RolloutLine(Terminal terminal, RolloutDocument? rollout) => rollout switch
    {
        null => null,
        { Verdict: "wait" } => terminal.Yellow($"rollout: {rollout.Message} (since {JsonText.Time(rollout.Since)}, until {JsonText.Time(rollout.Deadline)})"),
        { Verdict: "stall" } => terminal.Red($"rollout: {rollout.Message} (since {JsonText.Time(rollout.Since)})"),
        { Verdict: "proceed" } => terminal.Yellow($"rollout: {rollout.Message}"),
        _ => $"rollout: {rollout.Message}",
    };

    private static void Print(Terminal terminal, List<(StatusDocument Status, bool Running)> agents)
    {
        foreach (var (agent, isRunning) in agents)
        {
            var running = isRunning ? "" : terminal.Red(" (not running: stale status)");
            terminal.Writer.WriteLine($"node {terminal.Bold(agent.Node)} (pid {agent.Pid}){running}, config {agent.ConfigPath}, loaded {JsonText.Time(agent.LoadedAt)}");
            PrintSource(terminal, agent.Source);
            if (RolloutLine(terminal, agent.Rollout) is { } rollout)
            {
                terminal.Writer.WriteLine($"  {rollout}");
            }
            terminal.Writer.WriteLine($"  {"INSTANCE",-16} {"STATE",-10} {"PRIO",4} {"MASTER SEEN",-24} {"SENT",8} {"RECEIVED",8}  SINCE / DROPS");
            foreach (var instance in agent.Instances)
            {
                var state = instance.State;
                var painted = state == "Master" ? terminal.Green($"{state,-10}") : state == "Fault" ? terminal.Red($"{state,-10}") : $"{state,-10}";
                var drops = instance.Dropped.Select(d => $"{d.Key}={d.Value}").ToList();
                terminal.Writer.WriteLine(
                    $"  {instance.Name,-16} {painted} {instance.Priority,4} {instance.MasterSeen ?? "-",-24} " +
                    $"{instance.AdvertisementsSent,8} {instance.AdvertisementsReceived,8}  {JsonText.Time(instance.Since)} ({instance.Reason})" +
                    (drops.Count > 0 ? $"; dropped {string.Join(", ", drops)}" : ""));
            }
            // Address changes made by others on managed interfaces: the latest of each kind, with the count.
            foreach (var (kind, count) in agent.AddressDriftCounts)
            {
                var latest = agent.AddressDrift.LastOrDefault(d => d.Kind == kind);
                terminal.Writer.WriteLine(terminal.Red($"  drift: {kind} x{count}") +
                    (latest is null ? "" : $", latest {latest.Address} {latest.Change} ({latest.Instance}) at {JsonText.Time(latest.At)}"));
            }
        }
    }
}
