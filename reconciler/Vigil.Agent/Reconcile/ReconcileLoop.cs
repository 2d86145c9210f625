using Serilog;

namespace Vigil.Agent.Reconcile;

/// <summary>How a pass ended, as controller-runtime's reconcilers say it: done, try again after a while, or stalled until something changes.</summary>
public sealed record PassResult(PassResult.Kind Ending, TimeSpan RetryAfter = default, string? Reason = null)
{
    public enum Kind
    {
        Done,
        RetryAfter,
        Stalled,
    }

    public static PassResult Done { get; } = new(Kind.Done);

    public static PassResult Retry(TimeSpan after, string reason) => new(Kind.RetryAfter, after, reason);

    public static PassResult Stalled(string reason) => new(Kind.Stalled, default, reason);
}

/// <summary>The node as the worker drives it: each call is one pass's work, always on the worker's thread.</summary>
public interface IReconciledNode
{
    /// <summary>Reads the source and applies what is new (<paramref name="fromInterval"/>: a handled commit is left alone).</summary>
    PassResult Reconcile(bool fromInterval);

    /// <summary>Tries again what the running revision has not got yet (an instance not running, IPVS the kernel refused).</summary>
    PassResult Retry();

    /// <summary>A real server's health changed: the IPVS pool follows it.</summary>
    PassResult FollowHealth();

    void CheckDrift();

    void Stop();

    void Leave();
}

/// <summary>How the worker ended: the CLI's exit follows.</summary>
public enum LoopEnd
{
    Stopped,
    Left,
}

/// <summary>
/// The agent's one worker: the interval, the drift check, retries, signals and watchers only enqueue
/// (<see cref="ReconcileQueue"/>); this loop takes what is pending and runs one pass at a time, so the node's state has
/// one writer. A pass that asks to retry is enqueued again after its delay (at most the interval). Time comes from a
/// <see cref="TimeProvider"/>, so tests drive it with fake time and <see cref="Pass"/>.
/// </summary>
public sealed class ReconcileLoop : IDisposable
{
    private readonly IReconciledNode _node;
    private readonly ReconcileQueue _queue;
    private readonly TimeSpan _interval;
    private readonly ILogger _log;
    private readonly ITimer _intervalTimer;
    private readonly ITimer _driftTimer;
    private readonly ITimer _retryTimer;

    public ReconcileLoop(IReconciledNode node, ReconcileQueue queue, TimeProvider time, TimeSpan interval, TimeSpan driftInterval, ILogger log)
    {
        _node = node;
        _queue = queue;
        _interval = interval;
        _log = log;
        _intervalTimer = time.CreateTimer(_ => queue.Enqueue(ReconcileRequest.Interval), null, interval, interval);
        _driftTimer = time.CreateTimer(_ => queue.Enqueue(ReconcileRequest.Drift), null, driftInterval, driftInterval);
        _retryTimer = time.CreateTimer(_ => queue.Enqueue(ReconcileRequest.Retry), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The last pass's result, for the status and tests.</summary>
    public PassResult? Last { get; private set; }

    /// <summary>Runs passes until a stop or a leave.</summary>
    public LoopEnd Run()
    {
        while (true)
        {
            if (Pass(_queue.Take()) is { } end)
            {
                return end;
            }
        }
    }

    /// <summary>One pass for everything <paramref name="requests"/> asks; the end when it was a stop or a leave.</summary>
    public LoopEnd? Pass(ReconcileRequest requests)
    {
        if (requests.HasFlag(ReconcileRequest.Leave))
        {
            _node.Leave();
            return LoopEnd.Left;
        }
        if (requests.HasFlag(ReconcileRequest.Stop))
        {
            _log.Information("signal received: stopping");
            _node.Stop();
            return LoopEnd.Stopped;
        }
        PassResult? result = null;
        if (requests.HasFlag(ReconcileRequest.Requested))
        {
            _log.Information("reconcile requested");
            result = _node.Reconcile(fromInterval: false);
        }
        else if (requests.HasFlag(ReconcileRequest.Interval))
        {
            result = _node.Reconcile(fromInterval: true);
        }
        if (result is null && requests.HasFlag(ReconcileRequest.Retry))
        {
            result = _node.Retry(); // a reconcile retries too
        }
        if (requests.HasFlag(ReconcileRequest.Health))
        {
            result = _node.FollowHealth(); // the pool follows whatever the reconcile did
        }
        if (requests.HasFlag(ReconcileRequest.Drift))
        {
            _node.CheckDrift();
        }
        if (result is not null)
        {
            Last = result;
            _retryTimer.Change(result.Ending == PassResult.Kind.RetryAfter ? Min(result.RetryAfter, _interval) : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void Dispose()
    {
        _intervalTimer.Dispose();
        _driftTimer.Dispose();
        _retryTimer.Dispose();
    }
}
