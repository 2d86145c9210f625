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
            var state = NodeOptions.Load(parse.GetValue(path)!, parse.GetValue(node)!, parse.InvocationConfiguration.Error, out var exitCode);
            if (state is null)
            {
                return exitCode;
            }
            string text;
            try
            {
                text = parse.GetValue(output) switch
                {
                    OutputFormat.Json => NodeStateSerializer.Json(state) + "\n",
                    OutputFormat.Keepalived => KeepalivedConfWriter.Write(state),
                    _ => NodeStateSerializer.Yaml(state),
                };
            }
            catch (KeepalivedRenderException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"vigil: {e.Message}");
                return ExitCodes.Failed;
            }
            parse.InvocationConfiguration.Output.Write(text);
            return ExitCodes.Ok;
        });
        return command;
    }
}
