namespace Vigil.Agent.Reconcile;

/// <summary>What a pass of the agent's worker is asked to do; requests that arrive before it runs are taken together.</summary>
[Flags]
public enum ReconcileRequest
{
    None = 0,

    /// <summary>The interval: fetch the source; an already handled commit is left alone, only what is not applied is retried.</summary>
    Interval = 1,

    /// <summary>SIGHUP, SIGUSR1, `vigil reconcile`: read the source and apply it again.</summary>
    Requested = 2,

    /// <summary>Something not applied may be now (a link appeared): retry it without waiting for the interval.</summary>
    Retry = 4,

    /// <summary>A real server's health changed: the IPVS pool follows.</summary>
    Health = 8,

    /// <summary>The drift check's turn (its interval, or notifications the kernel watcher lost).</summary>
    Drift = 16,

    /// <summary>SIGTERM or SIGINT: priority-0 adverts, VIPs released.</summary>
    Stop = 32,

    /// <summary>SIGUSR2: leave for a restart, VIPs kept.</summary>
    Leave = 64,
}

/// <summary>
/// The one way into the agent's worker: signals, timers, watchers and health checks only enqueue (cheap, any thread);
/// the worker takes everything pending at once, so a burst of the same request is one pass and none is lost.
/// </summary>
public sealed class ReconcileQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _ending = new();
    private ReconcileRequest _pending;

    /// <summary>
    /// Cancelled once a stop or a leave is asked: a pass waiting on something slow (a fetch from a silent remote)
    /// gives way at once, so SIGTERM's priority-0 advert never waits for the network.
    /// </summary>
    public CancellationToken Ending => _ending.Token;

    public void Enqueue(ReconcileRequest request)
    {
        lock (_gate)
        {
            _pending |= request;
            Monitor.PulseAll(_gate);
        }
        if ((request & (ReconcileRequest.Stop | ReconcileRequest.Leave)) != 0)
        {
            _ending.Cancel();
        }
    }

    /// <summary>Everything asked since the last take; waits for a request when none is pending.</summary>
    public ReconcileRequest Take()
    {
        lock (_gate)
        {
            while (_pending == ReconcileRequest.None)
            {
                Monitor.Wait(_gate);
            }
            var taken = _pending;
            _pending = ReconcileRequest.None;
            return taken;
        }
    }

    /// <summary>Everything pending now, without waiting (tests drive the worker pass by pass).</summary>
    public ReconcileRequest TakePending()
    {
        lock (_gate)
        {
            var taken = _pending;
            _pending = ReconcileRequest.None;
            return taken;
        }
    }

    public void Dispose() => _ending.Dispose();
}
