using System.Text.Json.Nodes;
using Vigil.Agent;
using Vigil.Agent.Peers;
using Vigil.Cli.Output;
using Vigil.Core.Desired;

namespace Vigil.Cli.Commands;

/// <summary>
/// `vigil status --cluster`: every node of the cluster side by side, asked over peer status (Cluster peerStatus) with
/// the key this node holds. Where to ask comes from this node's own agent's status; no configuration of its own.
/// </summary>
internal static class ClusterStatus
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static int Show(IReadOnlyList<(StatusDocument Status, bool Running)> agents, bool json, TextWriter stdout, TextWriter error)
    {
        if (agents.FirstOrDefault(a => a.Running && a.Status.Peers is not null).Status?.Peers is not { } peers)
        {
            error.WriteLine("vigil: no running agent here serves peer status: set the Cluster's peerStatus (port and key) and check its status file");
            return ExitCodes.Failed;
        }
        var spec = new PeerStatusSpec { Port = peers.Port, KeyFile = peers.KeyFile, KeyEnvironment = peers.KeyEnvironment };
        if (PeerKey.Read(spec, out var problem) is not { } key)
        {
            error.WriteLine($"vigil: {problem}");
            return ExitCodes.Failed;
        }
        var answers = PeerStatusClient.AskAll(peers, key, Timeout, CancellationToken.None).GetAwaiter().GetResult();
        if (json)
        {
            stdout.WriteLine(JsonText.Of(new JsonArray([.. answers.Select(a => (JsonNode)new JsonObject
            {
                ["node"] = a.Node,
                ["address"] = a.Address,
                ["error"] = a.Error,
                ["status"] = a.Status?.ToJsonObject(),
            })])));
        }
        else
        {
            Print(Terminal.ForStandardOutput(stdout), peers, answers);
        }
        return answers.All(a => a.Status is not null) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static void Print(Terminal terminal, PeerStatusDocument peers, IReadOnlyList<PeerAnswer> answers)
    {
        terminal.Writer.WriteLine($"cluster: {answers.Count} node(s), peer status on port {peers.Port}");
        foreach (var answer in answers)
        {
            terminal.Writer.WriteLine(answer.Status is { } status
                ? $"  {terminal.Bold(answer.Node)} {answer.Address}: commit {(status.Source.Commit is { } commit ? Source.Git.GitSource.Short(commit) : "none")} {status.Source.LastOutcome ?? "-"}, pid {status.Pid}" +
                    (status.Source.HeldUnits.Count > 0 ? terminal.Yellow($", {status.Source.HeldUnits.Count} unit(s) held back") : "")
                : terminal.Red($"  {answer.Node} {answer.Address}: {answer.Error}"));
            if (answer.Status is { } reported && StatusCommand.RolloutLine(terminal, reported.Rollout) is { } rollout)
            {
                terminal.Writer.WriteLine($"    {rollout}");
            }
        }
        var answered = answers.Where(a => a.Status is not null).ToList();
        var instances = answered.SelectMany(a => a.Status!.Instances.Select(i => i.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (instances.Count == 0)
        {
            return;
        }
        terminal.Writer.WriteLine($"  {"INSTANCE",-16}" + string.Concat(answered.Select(a => $" {a.Node,-16}")));
        foreach (var name in instances)
        {
            var cells = answered.Select(a => a.Status!.Instances.FirstOrDefault(i => i.Name == name) is { } i
                ? Paint(terminal, $"{i.State} {i.Priority}", i.State) : $"{"-",-16}");
            terminal.Writer.WriteLine($"  {name,-16}" + string.Concat(cells.Select(c => " " + c)));
        }
    }

    private static string Paint(Terminal terminal, string cell, string state) => state switch
    {
        "Master" => terminal.Green($"{cell,-16}"),
        "Fault" => terminal.Red($"{cell,-16}"),
        _ => $"{cell,-16}",
    };
}
