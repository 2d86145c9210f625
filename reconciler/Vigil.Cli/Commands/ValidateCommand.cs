using System.CommandLine;
using Serilog;
using Vigil.Cli.Output;

namespace Vigil.Cli.Commands;

internal static class ValidateCommand
{
    public static Command Create()
    {
        var path = ConfigPathArgument.Create();
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json);
        var command = new Command("validate", "Check every YAML document against the schemas and Vigil's rules; print each finding with file:line:column.\n" + ExitCodes.Help)
        {
            path,
            output,
        };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(path)!;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = ConfigPathArgument.TryLoad(root, parse.InvocationConfiguration.Error);
            if (result is null)
            {
                return ExitCodes.Usage;
            }
            Log.Debug("Validated {Files} files, {Documents} documents in {Elapsed:0} ms", result.Files, result.Documents,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                stdout.WriteLine(JsonText.Of(DiagnosticsPrinter.Json(root, result)));
            }
            else
            {
                DiagnosticsPrinter.Text(Terminal.ForStandardOutput(stdout), root, result);
            }
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
