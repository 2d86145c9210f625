using System.CommandLine;
using Vigil.Agent.Appliers;
using Vigil.Cli.Output;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink;
using Vigil.Netlink.Ipvs;

namespace Vigil.Cli.Commands;

/// <summary>
/// `vigil apply` on a node (and `vigil plan --node`'s kernel side): the IPVS table the node's configuration asks for
/// against the kernel's. Health checks are not run here; every real server counts as healthy (the agent feeds its
/// checks' results in).
/// </summary>
internal static class IpvsCommands
{
    public const string ApplyExitCodes = "Exit codes: 0 applied and converged, 1 a change failed or the kernel does not match afterwards (each is listed), 2 usage error.";

    public static Command Apply() => Create("apply",
        "Make this node's IPVS table match the configuration with the fewest requests, then read it back to prove it matches. " +
        "A refused change is reported and the rest still applied; every change is listed as applied, failed or skipped. " +
        "Only services Vigil made (recorded in --state-dir) are ever removed: another tool's (kube-proxy, Docker) are left alone. " +
        "Refused while the node's agent runs: the agent owns the table (use `vigil reconcile`).\n" + ApplyExitCodes,
        (state, kernel, json, stdout, error, stateDirectory) =>
        {
            var ownedFile = Path.Combine(stateDirectory, Vigil.Agent.IpvsOwnershipFile.FileName);
            var owned = Vigil.Agent.IpvsOwnershipFile.Load(ownedFile);
            var progress = Console.IsErrorRedirected || error != Console.Error ? null : new CountOnTerminal(error);
            var converged = IpvsApplier.Converge(kernel, state.VirtualServers.Select(v => v.Spec), progress: progress, owned: owned);
            var (_, result, remaining) = converged;
            progress?.End();
            try
            {
                Vigil.Agent.IpvsOwnershipFile.Save(ownedFile, converged.Owned);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"vigil: {ownedFile} not written ({e.Message}): a later apply will not remove what this one made");
            }
            if (json)
            {
                stdout.WriteLine(JsonText.Of(IpvsChangePrinter.Json(state.Node, result, remaining)));
            }
            else
            {
                IpvsChangePrinter.Text(Terminal.ForStandardOutput(stdout), state.Node, result, remaining);
            }
            return result.Succeeded && remaining.IsEmpty ? ExitCodes.Ok : ExitCodes.Failed;
        });

    private delegate int IpvsAction(NodeDesiredState state, IpvsClient kernel, bool json, TextWriter stdout, TextWriter error, string stateDirectory);

    /// <summary>
    /// A command with --config, --node, --output, --netns, --state-dir and --status-file that loads the node, refuses
    /// while the node's agent runs, and opens the kernel's IPVS before <paramref name="action"/>.
    /// </summary>
    private static Command Create(string name, string description, IpvsAction action)
    {
        var node = new NodeOptions();
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var netns = NamespaceOption();
        var stateDirectory = new Option<string?>("--state-dir") { Description = $"Where the IPVS services Vigil made on this node are recorded (default {HistoryCommand.StateRoot}/NODE, the agent's)." };
        var statusFile = new Option<string?>("--status-file") { Description = $"The node's agent's status file, to refuse while it runs (default {StatusCommand.DefaultDirectory}/NODE.json)." };
        var command = new Command(name, description);
        node.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(netns);
        command.Options.Add(stateDirectory);
        command.Options.Add(statusFile);
        command.SetAction(parse =>
        {
            var state = node.Load(parse, out var exitCode);
            if (state is null)
            {
                return exitCode;
            }
            var error = parse.InvocationConfiguration.Error;
            // Two owners would fight over the table: while the node's agent runs, it alone applies.
            var status = AgentStatusFileOptions.Read(parse.GetValue(statusFile) ?? Path.Combine(StatusCommand.DefaultDirectory, state.Node + ".json"));
            if (AgentStatusFileOptions.RunningAgent(status) is { } pid)
            {
                error.WriteLine($"vigil: the agent for {state.Node} runs (pid {pid}) and owns the IPVS table: `vigil reconcile --node {state.Node}` asks it to apply");
                return ExitCodes.Failed;
            }
            using var kernel = Open(parse.GetValue(netns), error);
            if (kernel is null)
            {
                return ExitCodes.Failed;
            }
            return action(state, kernel, parse.GetValue(output) == OutputFormat.Json, parse.InvocationConfiguration.Output, error,
                parse.GetValue(stateDirectory) ?? Path.Combine(HistoryCommand.StateRoot, state.Node));
        });
        return command;
    }

    public static Option<string?> NamespaceOption() => new("--netns")
    {
        Description = "Work on the IPVS table of this named network namespace (ip netns) instead of the current one.",
    };

    public static IpvsClient? Open(string? netns, TextWriter error)
    {
        try
        {
            return netns is null ? IpvsClient.Open() : IpvsClient.OpenInNamespace(netns);
        }
        catch (Exception e) when (e is IpvsUnavailableException or NetlinkException)
        {
            error.WriteLine($"vigil: {e.Message}");
            return null;
        }
    }

    /// <summary>Progress of a long apply on a terminal's stderr: a count rewritten in place every 500 changes.</summary>
    private sealed class CountOnTerminal(TextWriter error) : IProgress<int>
    {
        private bool _shown;

        public void Report(int value)
        {
            if (value % 500 == 0)
            {
                error.Write($"\rapplied {value} changes");
                _shown = true;
            }
        }

        public void End()
        {
            if (_shown)
            {
                error.WriteLine();
            }
        }
    }
}
