using Serilog;
using Serilog.Events;
using Vigil.Cli;

// Logs go to stderr so that stdout carries only the command's output (JSON, YAML, keepalived.conf).
var verbose = args.Contains("--verbose") || args.Contains("-v");
Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
    .WriteTo.Console(
        outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}",
        standardErrorFromLevel: LogEventLevel.Verbose)
    .CreateLogger();
try
{
    return VigilCommandLine.Run(args, Console.Out, Console.Error);
}
finally
{
    await Log.CloseAndFlushAsync();
}
