using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>Where the agent reads its cluster and writes its status.</summary>
public sealed record AgentOptions(string ConfigPath, string Node, string StatusFile);

/// <summary>
/// The agent process around <see cref="NodeAgent"/>: loads the node's desired state from a folder, applies it,
/// reloads on request keeping the last good revision when the new one is invalid, and keeps the status file
/// current. Signals are the caller's (the CLI maps SIGHUP to <see cref="Reload"/> and SIGTERM to stopping).
/// </summary>
public sealed class AgentHost : IDisposable
{
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);

    private readonly AgentOptions _options;
    private readonly ILogger _log;
    private readonly RtnetlinkClient _rtnetlink;
    private readonly PreciseTimeProvider _time = new();
    private readonly NodeAgent _agent;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Timer _statusTimer;
    private readonly Lock _statusGate = new();
    private KernelWatcher? _watcher;
    private DateTimeOffset _loadedAt;
    private volatile bool _stopped;

    public AgentHost(AgentOptions options, ILogger log)
    {
        _options = options;
        _log = log;
        _rtnetlink = RtnetlinkClient.Open();
        _agent = new NodeAgent(new KernelPorts(_rtnetlink, log), _time, log);
        // Transitions are reported under the instance's lock: write the status from the timer's thread, not here.
        _agent.Transitioned += _ => _statusTimer?.Change(TimeSpan.Zero, StatusPeriod);
        _statusTimer = new Timer(_ => WriteStatus(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>First load: false (after logging why) when the configuration is invalid or names no such node.</summary>
    public bool Start()
    {
        var state = Load();
        if (state is null)
        {
            return false;
        }
        _log.Information("vigil agent {Version} for node {Node}: {Count} instance(s) from {Path}",
            typeof(AgentHost).Assembly.GetName().Version, _options.Node, state.VrrpInstances.Count, _options.ConfigPath);
        _agent.Apply(state);
        _loadedAt = DateTimeOffset.UtcNow;
        _watcher = new KernelWatcher(_rtnetlink.Links, _agent.LinksChanged, _agent.AddressChanged);
        _statusTimer.Change(TimeSpan.Zero, StatusPeriod);
        return true;
    }

    /// <summary>SIGHUP: apply the folder's current content; an invalid one is reported and the running revision kept.</summary>
    public void Reload()
    {
        _log.Information("reload requested");
        var state = Load();
        if (state is null)
        {
            _log.Error("reload refused: keeping the running configuration");
            return;
        }
        var plan = _agent.Apply(state);
        _loadedAt = DateTimeOffset.UtcNow;
        _log.Information("reloaded: {Summary}", string.Join(", ", plan.GroupBy(p => p.Action).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        WriteStatus();
    }

    /// <summary>SIGTERM: priority-0 adverts, VIPs removed, status file removed.</summary>
    public void Stop()
    {
        _agent.Stop();
        _watcher?.Dispose();
        _watcher = null;
        lock (_statusGate)
        {
            _stopped = true;
            File.Delete(_options.StatusFile);
        }
        _log.Information("stopped");
    }

    public AgentStatus Status()
    {
        var (drift, counts) = _agent.AddressDrifts();
        return new(_options.Node, _options.ConfigPath, Environment.ProcessId, _startedAt, _loadedAt, _agent.Status(), drift, counts);
    }

    private NodeDesiredState? Load()
    {
        var result = new DesiredStateLoader().LoadPath(_options.ConfigPath);
        foreach (var diagnostic in result.Diagnostics)
        {
            if (diagnostic.Severity == Severity.Error)
            {
                _log.Error("{Diagnostic}", diagnostic.ToString());
            }
            else
            {
                _log.Warning("{Diagnostic}", diagnostic.ToString());
            }
        }
        if (result.State is null)
        {
            _log.Error("{Path}: invalid ({Errors} error(s)): nothing applied", _options.ConfigPath, result.ErrorCount);
            return null;
        }
        if (result.State.ClusterSpec.Nodes.All(n => n.Name != _options.Node))
        {
            _log.Error("{Message}", NodeProjection.UnknownNode(result.State.ClusterSpec, _options.Node));
            return null;
        }
        return NodeProjection.For(result.State, _options.Node);
    }

    private void WriteStatus()
    {
        lock (_statusGate)
        {
            if (_stopped)
            {
                return;
            }
            try
            {
                Status().WriteTo(_options.StatusFile);
            }
            catch (IOException e)
            {
                _log.Warning("status file {Path} not written: {Error}", _options.StatusFile, e.Message);
            }
        }
    }

    public void Dispose()
    {
        _statusTimer.Dispose();
        _watcher?.Dispose();
        _agent.Dispose();
        _rtnetlink.Dispose();
        _time.Dispose();
    }
}
