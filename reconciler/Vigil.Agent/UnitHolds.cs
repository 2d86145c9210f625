using Serilog;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Agent;

/// <summary>
/// Fault isolation as the agent runs it: the revision to apply instead of an invalid commit (its broken units at their
/// last good commits), and the revision a restart falls back to (the last good commit with the units held then). Reads
/// earlier commits from the source; what is held comes from the node's saved state.
/// </summary>
internal sealed class UnitHolds(IRevisionSource source, ILogger log, SourceState state)
{
    /// <summary>
    /// An invalid commit whose errors are confined to some units: those keep their last good files, the rest advance
    /// (see <see cref="UnitIsolation"/>). Null when the commit is not trusted, there is no good commit to keep units
    /// at, or holding units cannot help.
    /// </summary>
    public IsolatedRevision? Isolate(SourceRevision revision)
    {
        if (revision is { Untrusted: not null } or { Commit: null } || state.LastGood is null)
        {
            return null;
        }
        var loader = new DesiredStateLoader();
        var invalid = loader.Load(revision.Files, revision.Root);
        if (invalid.IsValid)
        {
            return null; // refused for another reason (a node it does not name, a script's security): not a unit's fault
        }
        try
        {
            var isolated = UnitIsolation.Compose(revision, invalid, UnitAtLastGood(), loader);
            foreach (var held in isolated?.Held ?? [])
            {
                log.Error("{Revision}: unit {Unit} held back at {Good}: {Reason}", revision.Label, held.Unit,
                    held.Commit is null ? "nothing (it has no good commit)" : $"commit {GitSource.Short(held.Commit)}", held.Reason);
            }
            return isolated;
        }
        catch (GitSourceException e)
        {
            log.Error("{Revision}: units cannot be held back: {Error}", revision.Label, e.Message);
            return null;
        }
    }

    /// <summary>Each unit's last good files: its held commit if it is held now, else the last good commit's.</summary>
    private Func<string, UnitVersion?> UnitAtLastGood()
    {
        var read = new Dictionary<string, SourceRevision?>(StringComparer.Ordinal);
        return unit =>
        {
            var commit = state.HeldUnits?.FirstOrDefault(h => h.Unit == unit) is { } held ? held.Commit : state.LastGood;
            if (commit is null)
            {
                return null;
            }
            if (!read.TryGetValue(commit, out var revision))
            {
                read[commit] = revision = source.At(commit);
            }
            return revision is null ? null
                : new UnitVersion(commit, [.. revision.Files.Where(f => UnitIsolation.UnitOf(f.Path, revision.Root) == unit)]);
        };
    }

    /// <summary>The revision the node ran last: the last good commit, with the units held then at their own commits.</summary>
    public SourceRevision? LastGoodRevision()
    {
        if (state.LastGood is not { } good || source.At(good) is not { } revision)
        {
            return null;
        }
        if (state.HeldUnits is not { Count: > 0 } held)
        {
            return revision;
        }
        var unitAt = UnitAtLastGood();
        var units = held.Select(h => h.Unit).ToHashSet(StringComparer.Ordinal);
        return revision with
        {
            Files = [.. revision.Files.Where(f => !units.Contains(UnitIsolation.UnitOf(f.Path, revision.Root)))
                .Concat(units.SelectMany(u => unitAt(u)?.Files ?? []))
                .OrderBy(f => f.Path, StringComparer.Ordinal)],
        };
    }
}
