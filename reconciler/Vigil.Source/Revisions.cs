using Vigil.Source.Git;

namespace Vigil.Source;

/// <summary>
/// One revision of the desired state as the agent reads it: its commit (null for a plain folder), the commit's
/// subject, and its YAML files as (path shown in messages, text).
/// </summary>
/// <param name="Untrusted">Why the commit may not apply though its files may be valid: its signature (--verify-commits).</param>
public sealed record SourceRevision(string? Commit, string? Subject, IReadOnlyList<(string Path, string Text)> Files, string? Untrusted = null)
{
    /// <summary>The folder the paths of <see cref="Files"/> start from: the repository's root for policies' folders.</summary>
    public string Root { get; init; } = "";

    /// <summary>Who signed the commit (and its tag), when the source verifies signatures and they hold.</summary>
    public string? SignedBy { get; init; }

    /// <summary>"commit 1a2b3c4d5e6f" or "the folder", for messages.</summary>
    public string Label => Commit is null ? "the folder" : $"commit {GitSource.Short(Commit)}";
}

/// <summary>Where the agent reads revisions: a folder on disk or a git source.</summary>
public interface IRevisionSource : IDisposable
{
    /// <summary>The folder, or URL, ref and path, for the status and the log.</summary>
    string Location { get; }

    /// <summary>For git, the repository's folder holding the YAML ("" for its root); null for a folder on disk.</summary>
    string? Folder { get; }

    /// <summary>The newest revision (a fetch, for git); throws <see cref="GitSourceException"/> or IOException with the reason.</summary>
    SourceRevision Latest();

    /// <summary>An earlier commit (the last good one, after a restart); null for a folder, which has no history.</summary>
    SourceRevision? At(string commit);
}

/// <summary>A folder on disk, read whole each time.</summary>
public sealed class FolderRevisions(string path) : IRevisionSource
{
    public string Location => path;

    public string? Folder => null;

    public SourceRevision Latest()
    {
        if (File.Exists(path))
        {
            return new(null, null, [(path, Yaml.InputLimits.ReadText(path))]) { Root = Path.GetDirectoryName(path) ?? "" };
        }
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"{path}: no such file or folder");
        }
        // Shown as the operator named the folder, so that messages do not depend on the working directory.
        return new(null, null, [.. DesiredStateLoader.EnumerateYaml(path)
            .Select(file => (Path.Join(path, Path.GetRelativePath(path, file)), Yaml.InputLimits.ReadText(file)))]) { Root = path };
    }

    public SourceRevision? At(string commit) => null;

    public void Dispose()
    {
    }
}

/// <summary>A git source: each read fetches; files are named by their path in the repository.</summary>
public sealed class GitRevisions(GitSourceSpec spec, string stateDirectory) : IRevisionSource
{
    private readonly GitSource _source = new(spec, stateDirectory);

    public string Location => $"{Vigil.Core.Secrets.Redaction.Url(spec.Repository)} {spec.Ref}" + (spec.Path.Trim('/') is { Length: > 0 } folder ? $" {folder}/" : "");

    public string? Folder => spec.Path.Trim('/');

    public SourceRevision Latest() => Read(_source.Fetch());

    public SourceRevision? At(string commit) => Read(_source.Describe(commit));

    private SourceRevision Read(FetchedCommit commit)
    {
        var folder = spec.Path.Trim('/');
        var verdict = _source.Verdict(commit.Sha);
        return new(commit.Sha, commit.Subject,
            [.. _source.Files(commit.Sha).Select(f => (folder.Length == 0 ? f.Path : $"{folder}/{f.Path}", f.Text))], verdict?.Refusal)
        {
            Root = folder,
            SignedBy = verdict?.SignedBy,
        };
    }

    public void Dispose() => _source.Dispose();
}
