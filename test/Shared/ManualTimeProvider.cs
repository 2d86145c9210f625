namespace Vigil.Tests;

/// <summary>Time that moves only when a test says so; due timers fire in order while it advances (no sleeping).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Start { get; } = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public TimeSpan Elapsed => _now - Start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now.UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        var target = _now + by;
        while (_timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt) is { } next)
        {
            _now = next.DueAt!.Value;
            next.Fire();
        }
        _now = target;
    }

    public void AdvanceTo(TimeSpan sinceStart) => Advance(Start + sinceStart - _now);

    /// <summary>
    /// Advances as <see cref="Advance"/>, but the timers that come due are not run: their runs are returned, to be run
    /// when the test says, as a real timer's run waits for a thread or a lock (a process stalled, a busy pool).
    /// </summary>
    public IReadOnlyList<Action> AdvanceHolding(TimeSpan by)
    {
        var target = _now + by;
        var held = new List<Action>();
        foreach (var timer in _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).ToList())
        {
            held.Add(timer.Take());
        }
        _now = target;
        return held;
    }

    private sealed class ManualTimer(ManualTimeProvider time, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : time._now + dueTime;
            _period = period;
            return true;
        }

        public void Fire() => Take()();

        /// <summary>Marks this due run as started and returns it (the callback, not yet called).</summary>
        public Action Take()
        {
            DueAt = _period == Timeout.InfiniteTimeSpan ? null : DueAt + _period;
            return () => callback(state);
        }

        public void Dispose() => DueAt = null;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
