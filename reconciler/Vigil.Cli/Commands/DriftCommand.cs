using System.CommandLine;
using System.Text.Json.Nodes;
using Vigil.Agent;
using Vigil.Cli.Output;

namespace Vigil.Cli.Commands;

/// <summary>`vigil drift`: the running agent's last drift check (from its status file).</summary>
internal static class DriftCommand
{
    public static Command Create()
    {
        var agent = new AgentStatusFileOptions();
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json, OutputFormat.Prometheus);
        var command = new Command("drift",
            "Show how the node differs from the commit it runs, as its agent found at its last check (--drift-interval): addresses added or " +
            "removed by hand on managed interfaces, VIPs on a non-master or missing on the master, IPVS services and destinations changed by " +
            "hand, the node that should be master by priority but is not, adverts from routers outside the cluster on a managed VRID, and two " +
            "masters at once (split brain). With --drift-mode correct the agent undoes address and IPVS drift and lists what it undid.\n" +
            "Exit codes (as plan): 0 no drift, 2 drift found, 1 no running agent or no check yet.")
        {
            output,
        };
        agent.AddTo(command);
        command.SetAction(parse =>
        {
            var path = agent.PathOf(parse);
            var error = parse.InvocationConfiguration.Error;
            if (AgentStatusFileOptions.Read(path, error) is not { } status)
            {
                return ExitCodes.Failed;
            }
            if (status.Drift is not { } drift)
            {
                error.WriteLine($"vigil: {path}: the agent has not checked for drift yet");
                return ExitCodes.Failed;
            }
            var items = drift.Items;
            var stdout = parse.InvocationConfiguration.Output;
            switch (parse.GetValue(output))
            {
                case OutputFormat.Json:
                    stdout.WriteLine(JsonText.Of(new JsonObject { ["node"] = status.Node, ["drift"] = status.ToJsonObject()["drift"]!.DeepClone() }));
                    break;
                case OutputFormat.Prometheus:
                    stdout.Write(PrometheusText.Of(status, driftOnly: true));
                    break;
                default:
                    var terminal = Terminal.ForStandardOutput(stdout);
                    terminal.Writer.WriteLine($"node {status.Node}: checked {JsonText.Time(drift.CheckedAt)}, mode {drift.Mode}: " +
                        (items.Count == 0 ? terminal.Green("no drift") : terminal.Red($"{items.Count} finding(s)")));
                    foreach (var item in items)
                    {
                        terminal.Writer.WriteLine($"  {item.Kind,-20} {item.Subject}: {item.Detail}");
                    }
                    foreach (var undone in drift.Corrected)
                    {
                        terminal.Writer.WriteLine(terminal.Yellow($"  corrected: {undone}"));
                    }
                    break;
            }
            return items.Count == 0 ? ExitCodes.Ok : ExitCodes.Changes;
        });
        return command;
    }
}
