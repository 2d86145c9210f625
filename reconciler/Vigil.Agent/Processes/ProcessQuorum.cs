using Vigil.Core.Desired;

namespace Vigil.Agent.Processes;

/// <summary>Why a count changed, which decides whether a delay applies (keepalived's fork_delay / terminate_delay).</summary>
public enum CountCause
{
    /// <summary>An exec or a rename matched or unmatched a process: counted at once.</summary>
    Matched,
    /// <summary>A counted process forked: the child counts after the fork delay.</summary>
    Forked,
    /// <summary>A counted process ended: counted after the terminate delay.</summary>
    Exited,
    /// <summary>The processes were read again (after lost events, or polling): the delay of the direction.</summary>
    Rescanned,
}

/// <summary>A tracked process's quorum changed: how many run now and whether the quorum holds.</summary>
public sealed record QuorumChange(TrackProcessSpec Query, int Count, bool Up);

/// <summary>
/// One tracked process's count and whether its quorum holds, as keepalived decides it: the quorum holds while
/// quorum ≤ count ≤ quorumMax; a change caused by a fork or an exit waits its delay, and is forgotten if the count
/// goes back before it ends (a restart within the terminate delay is no failure).
/// </summary>
public sealed class ProcessQuorum(TrackProcessSpec query)
{
    public TrackProcessSpec Query { get; } = query;
    public int Count { get; internal set; }
    public bool Up { get; private set; }
    /// <summary>False until the first count: the first result is taken at once, without a delay.</summary>
    public bool Known { get; private set; }
    public DateTimeOffset? Pending { get; private set; }

    private bool InRange => Count >= Query.Quorum && (Query.QuorumMax is not { } max || Count <= max);

    /// <summary>After the count changed: the new result now, or a deadline (<see cref="Pending"/>) for it.</summary>
    public QuorumChange? Settle(CountCause cause, DateTimeOffset now)
    {
        var target = InRange;
        if (!Known)
        {
            Known = true;
            Up = target;
            return new QuorumChange(Query, Count, Up);
        }
        if (target == Up)
        {
            Pending = null;
            return null;
        }
        var delay = cause switch
        {
            CountCause.Forked => Query.ForkDelay,
            CountCause.Exited => Query.TerminateDelay,
            CountCause.Rescanned => target ? Query.ForkDelay : Query.TerminateDelay,
            _ => TimeSpan.Zero,
        };
        if (delay > TimeSpan.Zero)
        {
            Pending ??= now + delay;
            return null;
        }
        return Take(target);
    }

    /// <summary>A delay that has run out takes the result the count gives then.</summary>
    public QuorumChange? Tick(DateTimeOffset now)
    {
        if (Pending is not { } due || due > now)
        {
            return null;
        }
        return Take(InRange);
    }

    private QuorumChange? Take(bool up)
    {
        Pending = null;
        var changed = up != Up;
        Up = up;
        return changed ? new QuorumChange(Query, Count, Up) : null;
    }
}
