using System.Collections.Concurrent;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Netlink;
using Vigil.Netlink.Connector;

namespace Vigil.Agent.Processes;

/// <summary>
/// Counts the instances' tracked processes (keepalived's vrrp_track_process) as they start and end: /proc is read
/// once, then the kernel's process events (the proc connector) keep the counts, as keepalived does, so a crashed
/// haproxy is seen at once and nothing is polled. The connector exists only in the initial network namespace: an
/// agent running in another one (a lab, a container with the host's pids) opens its socket there. Where no events
/// come (no CAP_SYS_ADMIN to reach that namespace, a pid namespace of its own), /proc is read every second instead,
/// and the log says so. Lost events (the socket's buffer overflowed) are made good by reading /proc again.
/// One thread owns the socket; the table is shared with <see cref="Watch"/> under a lock.
/// </summary>
public sealed class ProcessWatcher(ILogger log, TimeProvider? time = null, ProcFileSystem? proc = null, bool useEvents = true) : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Wake = TimeSpan.FromMilliseconds(200);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ProcFileSystem _proc = proc ?? new ProcFileSystem();
    private readonly Lock _gate = new();
    private readonly ProcessTable _table = new();
    private readonly ConcurrentDictionary<TrackProcessSpec, (bool Up, int Count)> _results = new();
    private IReadOnlyList<TrackProcessSpec> _specs = [];
    private Thread? _thread;
    private readonly ManualResetEventSlim _stop = new();

    /// <summary>A tracked process's quorum was gained or lost.</summary>
    public event Action? Changed;

    /// <summary>How the counts are kept: "process events", "polling /proc", or "" before anything is tracked.</summary>
    public string Mode { get; private set; } = "";

    /// <summary>Whether the quorum holds (false for a spec not tracked).</summary>
    public bool Up(TrackProcessSpec spec) => _results.TryGetValue(ProcessTable.Query(spec), out var result) && result.Up;

    public int Count(TrackProcessSpec spec) => _results.TryGetValue(ProcessTable.Query(spec), out var result) ? result.Count : 0;

    /// <summary>Tracks exactly <paramref name="specs"/> from now on, counted once before this returns.</summary>
    public void Watch(IEnumerable<TrackProcessSpec> specs)
    {
        lock (_gate)
        {
            _specs = [.. specs];
            Publish(Rescan());
            if (_specs.Count > 0 && _thread is null)
            {
                _stop.Reset();
                _thread = new Thread(Run) { IsBackground = true, Name = "process watcher" };
                _thread.Start();
            }
        }
        if (_specs.Count == 0)
        {
            Stop();
        }
    }

    private IReadOnlyList<QuorumChange> Rescan() =>
        _table.Load(_specs, _specs.Count == 0 ? [] : _proc.All(ProcessMatch.CommandLineBytes(_specs)), _time.GetUtcNow());

    private void Run()
    {
        using var socket = useEvents ? Subscribe() : null;
        Mode = socket is null ? "polling /proc" : "process events";
        if (socket is not null)
        {
            lock (_gate)
            {
                Publish(Rescan()); // what started between the first read and the subscription
            }
        }
        while (!_stop.IsSet)
        {
            var wait = Wait(socket is null ? PollInterval : Wake);
            if (socket is null)
            {
                if (_stop.Wait(wait))
                {
                    break;
                }
                lock (_gate)
                {
                    Publish(Rescan());
                }
            }
            else
            {
                Receive(socket, wait);
            }
            lock (_gate)
            {
                Publish(_table.Tick(_time.GetUtcNow()));
            }
        }
    }

    /// <summary>Until the next delay ends, or <paramref name="limit"/> (the next poll, or a look at whether to stop).</summary>
    private TimeSpan Wait(TimeSpan limit)
    {
        lock (_gate)
        {
            if (_table.NextDeadline is { } due)
            {
                var left = due - _time.GetUtcNow();
                limit = left < limit ? left : limit;
            }
            return limit < TimeSpan.Zero ? TimeSpan.Zero : limit;
        }
    }

    private void Receive(NetlinkSocket socket, TimeSpan wait)
    {
        try
        {
            foreach (var e in socket.ReceiveNotifications<ProcessEvent>(wait, static (m, out e) => ProcessEventCodec.TryRead(m.Payload, out e)))
            {
                Apply(e);
            }
        }
        catch (NetlinkException e) when (e.Errno == NetlinkSocket.Overflowed)
        {
            log.Warning("process events were lost (the socket's buffer overflowed): the tracked processes are counted again from /proc");
            lock (_gate)
            {
                Publish(Rescan());
            }
        }
        catch (NetlinkException e)
        {
            log.Error("process events: {Error}; counted again from /proc", e.Message);
            lock (_gate)
            {
                Publish(Rescan());
            }
            _stop.Wait(Wake); // not a hot loop if the socket keeps failing
        }
    }

    private void Apply(ProcessEvent e)
    {
        if (!e.IsProcess)
        {
            return; // a thread of a process: keepalived counts processes
        }
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Publish(e.Kind switch
            {
                ProcessEventKind.Fork => _table.Forked(e.ParentThreadGroupId, e.ThreadGroupId, now),
                ProcessEventKind.Exec => _table.Execed(e.ThreadGroupId,
                    _proc.Read(e.ThreadGroupId, ProcessMatch.CommandLineBytes(_specs)) ?? ProcessIdentity.Named(""), now),
                ProcessEventKind.Comm => _table.Renamed(e.ThreadGroupId, e.Name ?? "", now),
                ProcessEventKind.Exit => _table.Exited(e.ThreadGroupId, now),
                _ => [],
            });
        }
    }

    /// <summary>
    /// A subscribed connector socket: in this network namespace, else in the initial one; null (poll instead) when
    /// neither answers the subscription.
    /// </summary>
    private NetlinkSocket? Subscribe()
    {
        var reasons = new List<string>();
        // This namespace; else the initial one, reached through a process in it: pid 1's, or (where pid 1's may not be
        // read, as in some sandboxes) the first other process's whose namespace has the connector.
        IEnumerable<string?> namespaces = [null, NetworkNamespace.Initial, .. _proc.NetworkNamespaces().Where(n => n != NetworkNamespace.Initial)];
        foreach (var path in namespaces)
        {
            var where = path is null ? "" : $" (from {path}'s network namespace: this agent runs in another)";
            NetlinkSocket? socket = null;
            try
            {
                socket = path is null
                    ? NetlinkSocket.OpenSubscribed(ProcessEventCodec.Protocol, ProcessEventCodec.Group)
                    : NetlinkSocket.OpenSubscribedAt(ProcessEventCodec.Protocol, ProcessEventCodec.Group, path);
                socket.Send(ProcessEventCodec.Subscribe(listen: true), "subscribe to process events");
                if (Acknowledged(socket))
                {
                    log.Information("tracked processes: counted from the kernel's process events{Where}", where);
                    return socket;
                }
                reasons.Add($"no acknowledgement of the subscription{where} (a pid namespace of its own?)");
            }
            catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException)
            {
                reasons.Add($"{e.Message}{where}");
            }
            socket?.Dispose();
        }
        log.Warning("tracked processes: no process events here ({Reasons}); /proc is read every {Interval} s instead",
            string.Join("; ", reasons.Take(3).Append(reasons.Count > 3 ? $"and {reasons.Count - 3} other namespace(s)" : "").Where(r => r.Length > 0)),
            PollInterval.TotalSeconds);
        return null;
    }

    /// <summary>The kernel answers a subscription with an acknowledgement; other events may come first.</summary>
    private static bool Acknowledged(NetlinkSocket socket)
    {
        var deadline = DateTime.UtcNow + AckWait;
        while (DateTime.UtcNow < deadline)
        {
            var events = socket.ReceiveNotifications<ProcessEvent>(deadline - DateTime.UtcNow, static (m, out e) => ProcessEventCodec.TryRead(m.Payload, out e));
            if (events.Any(e => e.Kind == ProcessEventKind.None && e.Ack))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Called under the lock: results for readers, a log line per change, and one Changed for the lot.</summary>
    private void Publish(IReadOnlyList<QuorumChange> changes)
    {
        foreach (var quorum in _table.Quorums)
        {
            _results[quorum.Query] = (quorum.Up, quorum.Count);
        }
        foreach (var gone in _results.Keys.Where(k => _table.Find(k) is null).ToList())
        {
            _results.TryRemove(gone, out _);
        }
        foreach (var change in changes)
        {
            var range = change.Query.QuorumMax is { } max ? $"{change.Query.Quorum}..{max}" : $"{change.Query.Quorum} or more";
            log.Information("track process {Process}: quorum {Outcome} ({Count} running, {Range} wanted)",
                change.Query.Process, change.Up ? "held" : "lost", change.Count, range);
        }
        if (changes.Count > 0)
        {
            ThreadPool.QueueUserWorkItem(_ => Changed?.Invoke());
        }
    }

    private void Stop()
    {
        _stop.Set();
        var thread = _thread;
        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join();
        }
        _thread = null;
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
