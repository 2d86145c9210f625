using System.CommandLine;
using Vigil.Cli.Commands;

namespace Vigil.Cli;

/// <summary>The command tree, separate from Main so that tests run commands in-process with captured output.</summary>
public static class VigilCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "vigil: keepalived as a declarative GitOps reconciler. VRRP instances, VIPs and IPVS services are YAML in git; " +
            "every node converges to it.\n" + ExitCodes.Help)
        {
            ValidateCommand.Create(),
            RenderCommand.Create(),
            ImportCommand.Create(),
            AgentCommand.Create(),
            StatusCommand.Create(),
            PlanCommand.Create(),
            ReconcileCommand.Create(),
            HistoryCommand.Create(),
            DriftCommand.Create(),
            RollbackCommand.Create(),
            IpvsCommands.Apply(),
            DemoCommand.Create(),
        };
        root.Options.Add(new Option<bool>("--verbose", "-v") { Description = "Log debug detail to stderr.", Recursive = true });
        return root;
    }

    /// <summary>Parses and runs; a command-line mistake is exit code 2, never 1, so scripts can tell it from invalid config.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Create().Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"vigil: {parseError.Message}");
            }
            error.WriteLine("Try 'vigil --help'.");
            // plan's and drift's 2 means "changes"; their usage errors are 1, as terraform's are.
            return parse.CommandResult.Command.Name is "plan" or "drift" ? ExitCodes.Failed : ExitCodes.Usage;
        }
        return parse.Invoke(configuration);
    }
}
