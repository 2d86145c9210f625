using System.Diagnostics;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Agent;

/// <summary>
/// What the node has recorded of its source, written by the worker only: the state file (the last fetched, applied and
/// good commits, the last error, held units), the history of outcomes, and the last outcome for the status. A full or
/// read-only disk loses a write (<see cref="AgentFileWrites"/>), never the agent: stopping would fail the VIPs over.
/// </summary>
internal sealed class SourceRecord(AgentOptions options, AgentFileWrites files)
{
    private (string?, ReconcileOutcome) _lastRecorded;

    public SourceState State { get; private set; } = options.StateFile is { } file ? SourceStateFile.Load(file) : SourceState.Empty;

    /// <summary>The commit last applied or refused: an interval pass leaves it alone.</summary>
    public string? Handled { get; private set; }

    public ReconcileOutcome? LastOutcome { get; private set; }

    public DateTimeOffset? ReconciledAt { get; private set; }

    public double? LastDuration { get; private set; }

    public void Record(SourceRevision revision, ReconcileOutcome outcome, IReadOnlyList<string> details, Stopwatch? clock)
    {
        Handled = revision.Commit;
        LastOutcome = outcome;
        var at = DateTimeOffset.UtcNow;
        ReconciledAt = at;
        LastDuration = clock?.Elapsed.TotalMilliseconds;
        // A request that re-applies what was just recorded (SIGHUP, `vigil reconcile` with nothing new) adds no line.
        if (options.HistoryFile is { } history && (revision.Commit, outcome) != _lastRecorded)
        {
            _lastRecorded = (revision.Commit, outcome);
            var entry = new HistoryEntry(revision.Commit, revision.Subject, at, outcome, details, LastDuration ?? 0) { SignedBy = revision.SignedBy };
            files.Write("history", history, () => ApplyHistory.Append(history, entry));
        }
    }

    public void Save(SourceState state)
    {
        State = state with { UpdatedAt = DateTimeOffset.UtcNow };
        if (options.StateFile is { } file)
        {
            var saved = State;
            files.Write("state file", file, () => SourceStateFile.Save(file, saved));
        }
    }
}
