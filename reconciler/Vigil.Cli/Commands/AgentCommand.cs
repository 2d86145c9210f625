using System.CommandLine;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Events;
using Vigil.Agent;

namespace Vigil.Cli.Commands;

/// <summary>`vigil agent`: runs one node until SIGTERM; SIGHUP reloads.</summary>
internal static class AgentCommand
{
    private const string LogTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "Folder (or file) of the cluster's YAML.", Required = true };
        var node = new Option<string>("--node", "-n") { Description = "This node's name in the Cluster's nodes.", Required = true };
        var logFile = new Option<string?>("--log-file") { Description = "Log file, besides stderr (default /var/log/vigil/NODE.log)." };
        var statusFile = new Option<string?>("--status-file") { Description = $"Where `vigil status` reads this agent's state (default {StatusCommand.DefaultDirectory}/NODE.json)." };
        var command = new Command("agent",
            "Run this node's VRRP instances from a local folder: win, lose and hand over VIPs on the wire, as keepalived. " +
            "SIGHUP reloads (unchanged instances keep their state and VIPs; an invalid folder is refused and the running " +
            "configuration kept); SIGTERM or Ctrl-C sends priority-0 adverts, removes the VIPs and exits 0. Needs root.\n" +
            "Exit codes: 0 stopped by signal, 1 invalid configuration or start failure, 2 usage error.")
        {
            config,
            node,
            logFile,
            statusFile,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(config)!;
            var name = parse.GetValue(node)!;
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                parse.InvocationConfiguration.Error.WriteLine($"vigil: {path}: no such file or folder");
                return ExitCodes.Usage;
            }
            AgentProcess.ReexecuteWithoutTieredCompilation();
            var options = new AgentOptions(Path.GetFullPath(path), name,
                parse.GetValue(statusFile) ?? Path.Combine(StatusCommand.DefaultDirectory, name + ".json"));
            using var log = new LoggerConfiguration()
                .MinimumLevel.Is(parse.GetValue<bool>("--verbose") ? LogEventLevel.Debug : LogEventLevel.Information)
                .WriteTo.Console(outputTemplate: LogTemplate, standardErrorFromLevel: LogEventLevel.Verbose)
                .WriteTo.File(parse.GetValue(logFile) ?? $"/var/log/vigil/{name}.log", outputTemplate: LogTemplate)
                .CreateLogger();
            return Run(options, log);
        });
        return command;
    }

    private static int Run(AgentOptions options, Serilog.Core.Logger log)
    {
        using var host = new AgentHost(options, log);
        using var stop = new SemaphoreSlim(0);
        var reloads = 0;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Interlocked.Increment(ref reloads);
            stop.Release();
        });
        if (!host.Start())
        {
            return ExitCodes.Failed;
        }
        var stopping = false;
        while (!stopping)
        {
            stop.Wait();
            if (Interlocked.Exchange(ref reloads, 0) > 0)
            {
                host.Reload();
            }
            else
            {
                stopping = true;
            }
        }
        log.Information("signal received: stopping");
        host.Stop();
        return ExitCodes.Ok;

        void Stop(PosixSignalContext context)
        {
            // Handled here: the runtime must not exit before the priority-0 adverts are out.
            context.Cancel = true;
            stop.Release();
        }
    }
}
