namespace Vigil.Health;

/// <summary>Something the check scheduler runs every <see cref="Interval"/>: a real server's check or a vrrp_script.</summary>
public interface IScheduledCheck : IDisposable
{
    /// <summary>Unique among the scheduled checks; a check with the same key and <see cref="SameAs"/> is left running.</summary>
    string Key { get; }

    TimeSpan Interval { get; }

    /// <summary>The first run comes at a random moment within this (keepalived's warmup): checks of many servers spread out.</summary>
    TimeSpan FirstWithin => Interval;

    /// <summary>True when <paramref name="other"/> is configured exactly as this one (then this one keeps its state and schedule).</summary>
    bool SameAs(IScheduledCheck other);

    /// <summary>One run, its result reported where it belongs (the health board, the script states).</summary>
    Task RunAsync(CancellationToken cancellation);
}
