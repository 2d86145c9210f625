using Vigil.Core.Desired;

namespace Vigil.Agent.Processes;

/// <summary>
/// Which running processes each tracked process counts, kept up to date from process events as keepalived keeps its
/// process tree: a fork of a counted process is counted too, an exec or a rename is matched again, an exit uncounts.
/// No I/O: the watcher reads /proc and passes what it read. Tracked processes that differ only in weight or
/// reverse (two instances tracking haproxy) share one count.
/// </summary>
public sealed class ProcessTable
{
    private readonly Dictionary<TrackProcessSpec, ProcessQuorum> _quorums = [];
    private readonly Dictionary<int, List<ProcessQuorum>> _counted = [];

    /// <summary>The part of a spec that counts processes (weight and reverse are the instance's).</summary>
    public static TrackProcessSpec Query(TrackProcessSpec spec) => spec with { Weight = 0, Reverse = false };

    public IReadOnlyCollection<ProcessQuorum> Quorums => _quorums.Values;

    public ProcessQuorum? Find(TrackProcessSpec spec) => _quorums.GetValueOrDefault(Query(spec));

    /// <summary>When the next delay ends.</summary>
    public DateTimeOffset? NextDeadline => _quorums.Values.Select(q => q.Pending).Where(p => p is not null).Min();

    /// <summary>
    /// Tracks exactly <paramref name="specs"/> and counts them from a full read of the processes: a quorum seen for
    /// the first time is taken at once; one known before changes as after lost events (with its delays).
    /// </summary>
    public IReadOnlyList<QuorumChange> Load(IEnumerable<TrackProcessSpec> specs, IEnumerable<(int Pid, ProcessIdentity Identity)> processes, DateTimeOffset now)
    {
        var wanted = specs.Select(Query).ToHashSet();
        foreach (var gone in _quorums.Keys.Where(q => !wanted.Contains(q)).ToList())
        {
            _quorums.Remove(gone);
        }
        foreach (var query in wanted.Where(q => !_quorums.ContainsKey(q)))
        {
            _quorums[query] = new ProcessQuorum(query);
        }
        _counted.Clear();
        foreach (var quorum in _quorums.Values)
        {
            quorum.Count = 0;
        }
        foreach (var (pid, identity) in processes)
        {
            foreach (var quorum in _quorums.Values.Where(q => ProcessMatch.Matches(q.Query, identity)))
            {
                Count(pid, quorum);
            }
        }
        return Settle(_quorums.Values, CountCause.Rescanned, now);
    }

    /// <summary>A process forked: the child counts wherever its parent does.</summary>
    public IReadOnlyList<QuorumChange> Forked(int parent, int child, DateTimeOffset now)
    {
        if (!_counted.TryGetValue(parent, out var quorums))
        {
            return [];
        }
        foreach (var quorum in quorums.ToList())
        {
            Count(child, quorum);
        }
        return Settle(quorums, CountCause.Forked, now);
    }

    /// <summary>A process ran a new program: matched again against every tracked process.</summary>
    public IReadOnlyList<QuorumChange> Execed(int pid, ProcessIdentity identity, DateTimeOffset now) =>
        Rematch(pid, identity, _quorums.Values, now);

    /// <summary>A process changed its name: matched again where the name is what counts.</summary>
    public IReadOnlyList<QuorumChange> Renamed(int pid, string name, DateTimeOffset now) =>
        Rematch(pid, ProcessIdentity.Named(name), [.. _quorums.Values.Where(q => !q.Query.MatchesCommandLine)], now);

    public IReadOnlyList<QuorumChange> Exited(int pid, DateTimeOffset now)
    {
        if (!_counted.Remove(pid, out var quorums))
        {
            return [];
        }
        foreach (var quorum in quorums)
        {
            quorum.Count--;
        }
        return Settle(quorums, CountCause.Exited, now);
    }

    /// <summary>Delays that ran out by <paramref name="now"/>.</summary>
    public IReadOnlyList<QuorumChange> Tick(DateTimeOffset now) => [.. _quorums.Values.Select(q => q.Tick(now)).OfType<QuorumChange>()];

    private IReadOnlyList<QuorumChange> Rematch(int pid, ProcessIdentity identity, IReadOnlyCollection<ProcessQuorum> candidates, DateTimeOffset now)
    {
        var touched = new List<ProcessQuorum>();
        var counted = _counted.GetValueOrDefault(pid);
        foreach (var quorum in candidates)
        {
            var was = counted?.Contains(quorum) ?? false;
            var matches = ProcessMatch.Matches(quorum.Query, identity);
            if (was == matches)
            {
                continue;
            }
            if (matches)
            {
                Count(pid, quorum);
                counted = _counted[pid];
            }
            else
            {
                counted!.Remove(quorum);
                quorum.Count--;
            }
            touched.Add(quorum);
        }
        if (counted is { Count: 0 })
        {
            _counted.Remove(pid);
        }
        return Settle(touched, CountCause.Matched, now);
    }

    private void Count(int pid, ProcessQuorum quorum)
    {
        if (!_counted.TryGetValue(pid, out var quorums))
        {
            _counted[pid] = quorums = [];
        }
        if (!quorums.Contains(quorum))
        {
            quorums.Add(quorum);
            quorum.Count++;
        }
    }

    private static IReadOnlyList<QuorumChange> Settle(IEnumerable<ProcessQuorum> quorums, CountCause cause, DateTimeOffset now) =>
        [.. quorums.Select(q => q.Settle(cause, now)).OfType<QuorumChange>()];
}
