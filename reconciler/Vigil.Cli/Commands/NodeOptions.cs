using System.CommandLine;
using Vigil.Cli.Output;
using Vigil.Core.Desired;

namespace Vigil.Cli.Commands;

/// <summary>--config PATH and --node NAME, as plan and apply take them, and the load both do.</summary>
internal sealed class NodeOptions
{
    public Option<string> Config { get; } = new("--config", "-c")
    {
        Description = "Folder of *.yaml files or one YAML file (default: the current folder).",
        DefaultValueFactory = _ => ".",
    };

    public Option<string> Node { get; } = new("--node", "-n") { Description = "This node's name in the Cluster.", Required = true };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Node);
    }

    /// <summary>The node's desired state, or null with the reason on stderr and the exit code to return.</summary>
    public NodeDesiredState? Load(ParseResult parse, out int exitCode)
    {
        var error = parse.InvocationConfiguration.Error;
        var path = parse.GetValue(Config)!;
        var nodeName = parse.GetValue(Node)!;
        return Load(path, nodeName, error, out exitCode);
    }

    /// <summary>Also used by render, which takes the path as an argument.</summary>
    public static NodeDesiredState? Load(string path, string nodeName, TextWriter error, out int exitCode) =>
        LoadCluster(path, nodeName, error, out exitCode) is { } state ? NodeProjection.For(state, nodeName) : null;

    /// <summary>The whole cluster, valid and naming the node, or null with the reason on stderr and the exit code to return.</summary>
    public static DesiredState? LoadCluster(string path, string nodeName, TextWriter error, out int exitCode)
    {
        var result = ConfigPathArgument.TryLoad(path, error);
        if (result is null)
        {
            exitCode = ExitCodes.Usage;
            return null;
        }
        if (result.State is null)
        {
            // Invalid input: say where, apply nothing.
            DiagnosticsPrinter.Text(new Terminal(error, colour: false), path, result);
            exitCode = ExitCodes.Failed;
            return null;
        }
        if (result.State.ClusterSpec.Nodes.All(n => n.Name != nodeName))
        {
            error.WriteLine($"vigil: {NodeProjection.UnknownNode(result.State.ClusterSpec, nodeName)}");
            exitCode = ExitCodes.Usage;
            return null;
        }
        exitCode = ExitCodes.Ok;
        return result.State;
    }
}
