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
        using var repository = GitRepositories.Discover(repositoryPath);
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
        using var config = GitRepositories.Configuration(repository);
        var signature = config.BuildSignature(DateTimeOffset.Now)
            ?? throw new GitSourceException($"{repositoryPath}: git user.name and user.email are not set: the revert commits need an author");
        var created = new List<FetchedCommit>();
        try
        {
            foreach (var commit in newer)
            {
                created.Add(GitSource.Describe(Revert(repository, commit, signature)));
            }
        }
        catch
        {
            repository.Reset(ResetMode.Hard, head); // also clears the revert in progress
            throw;
        }
        return new RollbackResult(GitSource.Describe(head), [.. newer.Select(GitSource.Describe)], created);
    }

    private static Commit Revert(Repository repository, Commit commit, Signature signature)
    {
        // Committed here rather than by LibGit2Sharp (CommitOnSuccess): it reads the message git prepared, and would
        // tidy it, through calls that return nothing under NativeAOT. The message is MERGE_MSG as libgit2 wrote it,
        // already in the form `git revert` commits.
        var result = repository.Revert(commit, signature, new RevertOptions { Mainline = commit.Parents.Count() > 1 ? 1 : 0, CommitOnSuccess = false });
        if (result.Status != RevertStatus.Reverted)
        {
            throw new GitSourceException(
                $"reverting {GitSource.Short(commit.Sha)} \"{commit.MessageShort}\" {(result.Status == RevertStatus.Conflicts ? "conflicts with later changes" : "changed nothing")}: " +
                "nothing committed; revert by hand (git revert) and resolve");
        }
        var message = File.ReadAllText(Path.Combine(repository.Info.Path, "MERGE_MSG"));
        return repository.Commit(message, signature, signature, new CommitOptions { PrettifyMessage = false });
    }
}
