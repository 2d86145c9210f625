using LibGit2Sharp;

namespace Vigil.Source.Git;

/// <summary>
/// Commits of a repository already on disk (the CI checkout `vigil plan --base --head` reads): any revision git
/// understands (origin/main, HEAD~1, a tag, a SHA), files read from the commit's tree, never from the work tree.
/// </summary>
public sealed class LocalCommits : IDisposable
{
    private readonly Repository _repository;
    private readonly string _path;

    public LocalCommits(string path)
    {
        _path = path;
        _repository = GitRepositories.Discover(path);
    }

    /// <summary>Who signed <paramref name="revision"/>, or why it is not trusted (see <see cref="Signatures.CommitVerification.Check"/>).</summary>
    public Signatures.SignatureVerdict Verdict(Signatures.CommitVerification verify, string revision)
    {
        var commit = Lookup(revision) ?? throw new GitSourceException($"{_path}: no commit '{revision}'");
        return verify.Check(_repository, commit, revision);
    }

    public FetchedCommit Resolve(string revision) => GitSource.Describe(Lookup(revision)
        ?? throw new GitSourceException($"{_path}: no commit '{revision}' (is the branch fetched? CI checkouts are often shallow: fetch with depth 0)"));

    private Commit? Lookup(string revision)
    {
        try
        {
            return _repository.Lookup(revision)?.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null; // not a revision this repository has
        }
    }

    /// <summary>The YAML files below <paramref name="folder"/> at <paramref name="sha"/>, named by their path in the repository.</summary>
    public IReadOnlyList<(string Path, string Text)> Files(string sha, string folder)
    {
        var prefix = folder.Trim('/') is { Length: > 0 } f ? f + "/" : "";
        return GitSource.YamlFiles(_repository.Lookup<Commit>(sha), folder, _path, prefix);
    }

    public void Dispose() => _repository.Dispose();
}
