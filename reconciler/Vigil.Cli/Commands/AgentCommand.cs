using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;
using Vigil.Agent;
using Vigil.Agent.Reconcile;
using Vigil.Core.Desired;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Cli.Commands;

/// <summary>`vigil agent`: runs one node until SIGTERM, following a folder or a git repository.</summary>
internal static class AgentCommand
{
    private const long LogFileLimit = 100L * 1024 * 1024;
    private const string LogTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    // Not in PosixSignal's named values; raw signal numbers are accepted on Linux.
    private const PosixSignal SIGUSR1 = (PosixSignal)10;
    private const PosixSignal SIGUSR2 = (PosixSignal)12;

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Folder (or file) of the cluster's YAML. Give this or --repo." };
        var repo = new Option<string?>("--repo") { Description = "Git repository holding the cluster's YAML: a local path, https://... or ssh://.... Give this or --config." };
        var reference = new Option<string>("--ref") { Description = "Branch, tag or commit SHA to follow.", DefaultValueFactory = _ => "main" };
        var folder = new Option<string>("--path") { Description = "Folder of the repository that holds the YAML (default: its root).", DefaultValueFactory = _ => "" };
        var interval = DurationOption("--interval", "How often to fetch the repository (and retry what is not applied): 30s, 1m, 500ms...", TimeSpan.FromSeconds(30));
        var driftInterval = DurationOption("--drift-interval", "How often to compare the node with its desired state (addresses, IPVS, VRRP): the drift report.", TimeSpan.FromSeconds(30));
        var driftMode = new Option<DriftMode>("--drift-mode")
        {
            Description = "report: log and show drift; correct: also undo address and IPVS drift (VRRP drift is only reported).",
            DefaultValueFactory = _ => DriftMode.Report,
        };
        var tokenFile = new Option<string?>("--token-file") { Description = "HTTPS: a file holding the access token." };
        var fetchTimeout = DurationOption("--fetch-timeout", "How long a fetch waits to connect, and then for each answer, before it fails and is retried (a remote that never answers must not hold the agent).", TimeSpan.FromSeconds(30));
        var verify = new VerifyCommitsOptions("With --repo: apply only commits signed by a trusted key: head (the commit), tag (the tag --ref names), tag-and-head (both).");
        var sshKey = new Option<string?>("--ssh-key") { Description = "SSH: a private key file (no passphrase); the host key is trusted on first use and pinned in the state directory." };
        var stateDirectory = new Option<string?>("--state-dir") { Description = "With --repo: the clone, the state file and the history (default /var/lib/vigil/NODE)." };
        var listen = new Option<IPEndPoint?>("--listen")
        {
            Description = "Serve /status (JSON), /metrics (Prometheus) and /healthz on this address, e.g. 127.0.0.1:9110 (off by default).",
            CustomParser = argument =>
            {
                var text = argument.Tokens.Single().Value;
                if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0)
                {
                    return endpoint;
                }
                argument.AddError($"--listen: '{text}' is not ADDRESS:PORT such as 127.0.0.1:9110");
                return null;
            },
        };
        var node = new Option<string>("--node", "-n") { Description = "This node's name in the Cluster's nodes.", Required = true };
        var logFile = new Option<string?>("--log-file") { Description = "Vigil's own log file, besides stderr (default /var/log/vigil/NODE.log); rolled at 100 MB, 10 kept." };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "text (millisecond timestamps) or json (one event per line with its fields: Instance, VirtualRouterId, From, To, Priority, Commit...).",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var statusFile = new Option<string?>("--status-file") { Description = $"Where `vigil status` reads this agent's state (default {StatusCommand.DefaultDirectory}/NODE.json)." };
        var netlinkBuffer = new Option<int>("--netlink-buffer")
        {
            Description = "Bytes of receive buffer for kernel link and address notifications (keepalived's vrrp_netlink_monitor_rcv_bufs); " +
                "a burst larger than this is logged and resynced from a fresh read.",
            DefaultValueFactory = _ => Vigil.Netlink.NetlinkSocket.NotificationBuffer,
        };
        netlinkBuffer.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 4096)
            {
                result.AddError("--netlink-buffer: at least 4096 bytes");
            }
        });
        var command = new Command("agent",
            "Run this node's VRRP instances and IPVS table from a folder or a git repository: win, lose and hand over VIPs on the wire, as keepalived. " +
            "With --repo the repository is fetched every --interval and on SIGUSR1 (`vigil reconcile`); a new commit is validated whole and applied " +
            "with the fewest moves (unchanged instances keep their state and VIPs); an invalid commit is refused, logged with its file:line, and the " +
            "running commit kept. SIGHUP re-reads the source. SIGTERM or Ctrl-C sends priority-0 adverts, removes the VIPs and exits 0. " +
            "SIGUSR2 exits 0 leaving the VIPs in place for a restart: the next agent resumes as master without a flap if it starts within the " +
            "peers' Master_Down_Interval (so does one restarted after a crash). Needs root.\n" +
            "Exit codes: 0 stopped by signal, 1 invalid folder or start failure, 2 usage error.")
        {
            config,
            repo,
            reference,
            folder,
            interval,
            tokenFile,
            sshKey,
            fetchTimeout,
            stateDirectory,
            driftInterval,
            driftMode,
            listen,
            node,
            logFile,
            logFormat,
            statusFile,
            netlinkBuffer,
        };
        verify.AddTo(command);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(config) is null) == (result.GetValue(repo) is null))
            {
                result.AddError("give either --config or --repo");
            }
            if (result.GetValue(verify.Mode) is not null && (result.GetValue(repo) is null || result.GetValue(verify.TrustedKeys) is null))
            {
                result.AddError("--verify-commits needs --repo and --trusted-keys (a folder on this node)");
            }
        });
        command.SetAction(parse =>
        {
            var name = parse.GetValue(node)!;
            IRevisionSource source;
            string? state = null;
            if (parse.GetValue(config) is { } path)
            {
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    parse.InvocationConfiguration.Error.WriteLine($"vigil: {path}: no such file or folder");
                    return ExitCodes.Usage;
                }
                source = new FolderRevisions(Path.GetFullPath(path));
            }
            else
            {
                var repository = parse.GetValue(repo)!;
                state = Path.GetFullPath(parse.GetValue(stateDirectory) ?? Path.Combine(HistoryCommand.StateRoot, name));
                source = new GitRevisions(new GitSourceSpec
                {
                    // A local path is cloned by its absolute path, so the agent's working directory does not matter.
                    Repository = Directory.Exists(repository) ? Path.GetFullPath(repository) : repository,
                    Ref = parse.GetValue(reference)!,
                    Path = parse.GetValue(folder)!,
                    TokenFile = parse.GetValue(tokenFile),
                    SshKeyFile = parse.GetValue(sshKey),
                    Timeout = parse.GetValue(fetchTimeout),
                    Verify = verify.Value(parse),
                }, state);
            }
            AgentProcess.ReexecuteWithoutTieredCompilation();
            var options = new AgentOptions(name, parse.GetValue(statusFile) ?? Path.Combine(StatusCommand.DefaultDirectory, name + ".json"), state,
                parse.GetValue(driftMode)) { NetlinkBuffer = parse.GetValue(netlinkBuffer) };
            var json = parse.GetValue(logFormat) == "json";
            var configuration = new LoggerConfiguration()
                .MinimumLevel.Is(parse.GetValue<bool>("--verbose") ? LogEventLevel.Debug : LogEventLevel.Information);
            var logPath = parse.GetValue(logFile) ?? $"/var/log/vigil/{name}.log";
            // Rolled at 100 MB (NODE_001.log, ...), 10 kept: the file keeps its name until then. Each sink writes from
            // a thread of its own, and drops what does not fit its buffer rather than wait: a console nobody reads (a
            // stalled journald, a full pipe) or a slow disk must never hold a stop or a transition.
            configuration = json
                ? configuration.WriteTo.Async(a => a.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: LogEventLevel.Verbose), LogBuffer)
                    .WriteTo.Async(a => a.File(new JsonFormatter(renderMessage: true), logPath, fileSizeLimitBytes: LogFileLimit, rollOnFileSizeLimit: true, retainedFileCountLimit: 10), LogBuffer)
                : configuration.WriteTo.Async(a => a.Console(outputTemplate: LogTemplate, standardErrorFromLevel: LogEventLevel.Verbose), LogBuffer)
                    .WriteTo.Async(a => a.File(logPath, outputTemplate: LogTemplate, fileSizeLimitBytes: LogFileLimit, rollOnFileSizeLimit: true, retainedFileCountLimit: 10), LogBuffer);
            var log = configuration.CreateLogger();
            using var flush = new BoundedFlush(log);
            var host = new AgentHost(options, source, log);
            StatusEndpoint? endpoint = null;
            try
            {
                endpoint = parse.GetValue(listen) is { } address ? new StatusEndpoint(address, host.Status, log) : null;
            }
            catch (HttpListenerException e)
            {
                log.Error("--listen {Address}: {Error}", parse.GetValue(listen), e.Message);
                host.Dispose();
                return ExitCodes.Failed;
            }
            using (endpoint)
            {
                return Run(host, parse.GetValue(interval), parse.GetValue(driftInterval), log);
            }
        });
        return command;
    }

    /// <summary>Log events each sink may hold while its writer is behind; more are dropped, never waited for.</summary>
    private const int LogBuffer = 10_000;

    /// <summary>
    /// The agent's logger, flushed at exit for at most a few seconds: a sink whose reader is frozen would otherwise
    /// keep the process from ever exiting after it has released its VIPs.
    /// </summary>
    private sealed class BoundedFlush(Serilog.Core.Logger logger) : IDisposable
    {
        public void Dispose() => Task.Run(logger.Dispose).Wait(TimeSpan.FromSeconds(3));
    }

    /// <summary>An option taking a duration as operators write it (Durations), positive.</summary>
    private static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = argument =>
        {
            var text = argument.Tokens.Single().Value;
            if (Durations.TryParse(text, out var every) && every > TimeSpan.Zero)
            {
                return every;
            }
            argument.AddError($"{name}: '{text}' is not a duration such as 30s, 1m or 500ms");
            return default;
        },
    };

    private static int Run(AgentHost created, TimeSpan interval, TimeSpan driftInterval, Serilog.Core.Logger log)
    {
        using var host = created;
        // Signals only ask; the worker acts. The runtime must not exit on SIGTERM before the priority-0 adverts are out.
        PosixSignalRegistration Ask(PosixSignal signal, ReconcileRequest request) => PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            host.Requests.Enqueue(request);
        });
        using var term = Ask(PosixSignal.SIGTERM, ReconcileRequest.Stop);
        using var interrupt = Ask(PosixSignal.SIGINT, ReconcileRequest.Stop);
        using var hangUp = Ask(PosixSignal.SIGHUP, ReconcileRequest.Requested);
        using var user1 = Ask(SIGUSR1, ReconcileRequest.Requested);
        using var user2 = Ask(SIGUSR2, ReconcileRequest.Leave);
        // A defect that escapes every catch still ends the agent as SIGTERM would (priority 0, VIPs released, logged),
        // never with the VIPs held and a stale status file behind it.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            log.Fatal(e.ExceptionObject as Exception, "unhandled exception: stopping the agent as on SIGTERM");
            // On another thread, bounded: the failed thread may be one that stopping waits for, or hold a lock it needs.
            var stopping = Task.Run(host.Stop);
            try
            {
                if (!stopping.Wait(TimeSpan.FromSeconds(10)))
                {
                    log.Error("stopping after the unhandled exception did not finish within 10 s");
                }
            }
            catch (AggregateException failure)
            {
                log.Error(failure.GetBaseException(), "stopping after the unhandled exception failed too");
            }
        };
        if (!host.Start())
        {
            return ExitCodes.Failed;
        }
        using var loop = new ReconcileLoop(host, host.Requests, TimeProvider.System, interval, driftInterval, log);
        loop.Run();
        return ExitCodes.Ok;
    }
}
