using System.Diagnostics;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// Timers that fire within a fraction of a millisecond of their due time, on one dedicated thread. VRRP's
/// takeover is a timer running out (Master_Down_Interval, Skew_Time), and keepalived fires it within
/// 0.3-5 ms of the RFC bound; the thread-pool timers behind <see cref="TimeProvider.System"/> can be late by
/// several milliseconds when the pool is busy. Each wait is one ppoll(2) with a nanosecond timeout, so ten idle
/// instances cost next to nothing; only a takeover's timer (<see cref="StateMachine.VrrpTimers.Takeover"/>) yields
/// through its last 2 ms, as a wake-up from sleep was measured up to 0.5 ms late. It runs out only when a master has
/// gone silent, so the yielding costs nothing while all is well. Callbacks run on the timer thread and must be short:
/// VRRP's send an advert and, on a transition, change the VIPs once the state machine's lock is released.
/// </summary>
public sealed class PreciseTimeProvider : TimeProvider, IDisposable
{
    private static readonly long FineWindow = Stopwatch.Frequency / 500; // 2 ms

    private readonly Lock _gate = new();
    private readonly List<PreciseTimer> _timers = [];
    private readonly Interop.PreciseWait _changed = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    public PreciseTimeProvider()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "vrrp timers" };
        _thread.Start();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new PreciseTimer(this, callback, state) { Fine = ReferenceEquals(state, StateMachine.VrrpTimers.Takeover) };
        lock (_gate)
        {
            _timers.Add(timer);
        }
        timer.Change(dueTime, period);
        return timer;
    }

    private void Run()
    {
        // As keepalived's vrrp_priority: a lower nice value so that a busy machine does not delay a takeover.
        Interop.ThreadNice.TryRaise();
        Interop.PreciseWait.TightenTimerSlack();
        var due = new List<PreciseTimer>();
        while (!_disposed)
        {
            long next;
            long nextFine;
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                (next, nextFine) = (long.MaxValue, long.MaxValue);
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= now)
                    {
                        timer.DueAt = timer.Period > 0 ? at + timer.Period : null;
                        due.Add(timer);
                    }
                    if (timer.DueAt is { } following)
                    {
                        next = Math.Min(next, following);
                        nextFine = timer.Fine ? Math.Min(nextFine, following) : nextFine;
                    }
                }
            }
            foreach (var timer in due)
            {
                timer.Fire();
            }
            if (due.Count > 0)
            {
                due.Clear();
                continue;
            }
            var afterFiring = Stopwatch.GetTimestamp();
            if (nextFine - afterFiring <= FineWindow)
            {
                Thread.Yield(); // a takeover within 2 ms
                continue;
            }
            var until = Math.Min(next, nextFine - FineWindow);
            if (until > afterFiring)
            {
                _changed.Wait(until == long.MaxValue ? null : (long)((until - afterFiring) * (1e9 / Stopwatch.Frequency)));
            }
        }
    }

    private void Changed() => _changed.Wake();

    private void Remove(PreciseTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _changed.Wake();
        _thread.Join();
        _changed.Dispose();
    }

    private sealed class PreciseTimer(PreciseTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        /// <summary>Stopwatch timestamp when it fires next; null when disarmed. Guarded by the owner's lock.</summary>
        public long? DueAt { get; set; }

        public long Period { get; private set; }

        /// <summary>A takeover's timer: its last moments are waited actively.</summary>
        public bool Fine { get; init; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : Stopwatch.GetTimestamp() + Ticks(dueTime);
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : Ticks(period);
            }
            owner.Changed();
            return true;
        }

        public void Fire() => callback(state);

        private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

        public void Dispose()
        {
            lock (owner._gate)
            {
                DueAt = null;
            }
            owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
