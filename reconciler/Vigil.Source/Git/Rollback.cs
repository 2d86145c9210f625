using LibGit2Sharp;

namespace Vigil.Source.Git;

/// <summary>What a rollback did: the commits reverted (newest first) and the revert commits made for them.</summary>
public sealed record RollbackResult(FetchedCommit From, IReadOnlyList<FetchedCommit> Reverted, IReadOnlyList<FetchedCommit> Created)
{
    public string? NewHead => Created.Count > 0 ? Created[^1].Sha : null;
}

/// <summary>
/// Rollback as git understands it: one revert commit per commit made since the target, newest first, on the current
/// branch of a local clone. History is never rewritten; the operator pushes the reverts like any change, and every
/// node applies them as a new commit. Nothing is left behind when a revert conflicts.
/// </summary>
public static class Rollback
{
    public static RollbackResult To(string repositoryPath, string target)
    {
        var root = Repository.Discover(repositoryPath) ?? throw new GitSourceException($"{repositoryPath}: not in a git repository");
        using var repository = new Repository(root);
        if (repository.Info.IsHeadDetached)
        {
            throw new GitSourceException($"{repositoryPath}: HEAD is detached: check out the branch to roll back");
        }
        if (repository.RetrieveStatus(new StatusOptions { IncludeUntracked = false }).IsDirty)
        {
            throw new GitSourceException($"{repositoryPath}: the work tree has uncommitted changes: commit or stash them first");
        }
        var head = repository.Head.Tip;
        Commit? wanted;
        try
        {
            wanted = repository.Lookup(target)?.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            wanted = null;
        }
        if (wanted is null)
        {
            throw new GitSourceException($"{repositoryPath}: no commit '{target}'");
        }
        if (repository.ObjectDatabase.FindMergeBase(wanted, head)?.Sha != wanted.Sha)
        {
            throw new GitSourceException($"{GitSource.Short(wanted.Sha)} is not an ancestor of {repository.Head.FriendlyName}: a rollback returns to an earlier commit of the branch");
        }
        var newer = repository.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = head,
            ExcludeReachableFrom = wanted,
            FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological,
        }).ToList();
        var signature = repository.Config.BuildSignature(DateTimeOffset.Now)
            ?? throw new GitSourceException($"{repositoryPath}: git user.name and user.email are not set: the revert commits need an author");
        var created = new List<FetchedCommit>();
        foreach (var commit in newer)
        {
            var result = repository.Revert(commit, signature, new RevertOptions { Mainline = commit.Parents.Count() > 1 ? 1 : 0, CommitOnSuccess = true });
            if (result.Status != RevertStatus.Reverted)
            {
                repository.Reset(ResetMode.Hard, head);
                throw new GitSourceException(
                    $"reverting {GitSource.Short(commit.Sha)} \"{commit.MessageShort}\" {(result.Status == RevertStatus.Conflicts ? "conflicts with later changes" : "changed nothing")}: " +
                    "nothing committed; revert by hand (git revert) and resolve");
            }
            created.Add(GitSource.Describe(result.Commit));
        }
        return new RollbackResult(GitSource.Describe(head), [.. newer.Select(GitSource.Describe)], created);
    }
}
