using System.Diagnostics;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// Timers that fire within a fraction of a millisecond of their due time, on one dedicated thread. VRRP's
/// takeover is a timer running out (Master_Down_Interval, Skew_Time), and keepalived fires it within
/// 0.3-5 ms of the RFC bound; the thread-pool timers behind <see cref="TimeProvider.System"/> can be late by
/// several milliseconds when the pool is busy. Waits are coarse until the last two milliseconds, then
/// yielding. Callbacks run on the timer thread and must be short (VRRP's are: a send, a netlink request).
/// </summary>
public sealed class PreciseTimeProvider : TimeProvider, IDisposable
{
    private static readonly long FineWindow = Stopwatch.Frequency / 250; // 4 ms

    private readonly Lock _gate = new();
    private readonly List<PreciseTimer> _timers = [];
    private readonly AutoResetEvent _changed = new(false);
    private readonly Thread _thread;
    private volatile bool _disposed;

    public PreciseTimeProvider()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "vrrp timers" };
        _thread.Start();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new PreciseTimer(this, callback, state);
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
        var due = new List<PreciseTimer>();
        while (!_disposed)
        {
            long next;
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= now)
                    {
                        timer.DueAt = timer.Period > 0 ? at + timer.Period : null;
                        due.Add(timer);
                    }
                }
                next = _timers.Min(t => t.DueAt) ?? long.MaxValue;
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
            var remaining = next - Stopwatch.GetTimestamp();
            if (remaining > FineWindow)
            {
                // Wake a little early: the last stretch yields instead of sleeping, as a sleep may overshoot.
                var coarse = next == long.MaxValue ? Timeout.Infinite : (int)((remaining - FineWindow) * 1000 / Stopwatch.Frequency);
                _changed.WaitOne(coarse);
            }
            else if (remaining > 0)
            {
                Thread.Yield();
            }
        }
    }

    private void Changed() => _changed.Set();

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
        _changed.Set();
        _thread.Join();
        _changed.Dispose();
    }

    private sealed class PreciseTimer(PreciseTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        /// <summary>Stopwatch timestamp when it fires next; null when disarmed. Guarded by the owner's lock.</summary>
        public long? DueAt { get; set; }

        public long Period { get; private set; }

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
