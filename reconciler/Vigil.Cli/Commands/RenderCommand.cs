using System.CommandLine;
using Vigil.Cli.Output;
using Vigil.Core.Desired;
using Vigil.Core.Rendering;

namespace Vigil.Cli.Commands;

internal static class RenderCommand
{
    public static Command Create()
    {
        var path = ConfigPathArgument.Create();
        var node = new Option<string>("--node", "-n") { Description = "The node to render (a name from the Cluster's nodes).", Required = true };
        var output = OutputOption.Create(OutputFormat.Yaml, OutputFormat.Yaml, OutputFormat.Json, OutputFormat.Keepalived);
        var command = new Command("render",
            "Print the effective desired state of one node: its priority per instance, derived unicast peers, resolved defaults. " +
            "--output keepalived prints the equivalent keepalived.conf.\n" + ExitCodes.Help)
        {
            path,
            node,
            output,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var result = ConfigPathArgument.TryLoad(parse.GetValue(path)!, error);
            if (result is null)
            {
                return ExitCodes.Usage;
            }
            if (result.State is null)
            {
                DiagnosticsPrinter.Text(new Terminal(error, colour: false), parse.GetValue(path)!, result);
                return ExitCodes.Failed;
            }
            var nodeName = parse.GetValue(node)!;
            if (result.State.ClusterSpec.Nodes.All(n => n.Name != nodeName))
            {
                error.WriteLine($"vigil: {NodeProjection.UnknownNode(result.State.ClusterSpec, nodeName)}");
                return ExitCodes.Usage;
            }
            var state = NodeProjection.For(result.State, nodeName);
            parse.InvocationConfiguration.Output.Write(parse.GetValue(output) switch
            {
                OutputFormat.Json => NodeStateSerializer.Json(state) + "\n",
                OutputFormat.Keepalived => KeepalivedConfWriter.Write(state),
                _ => NodeStateSerializer.Yaml(state),
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
