using LibGit2Sharp;
using Vigil.Core.Secrets;

namespace Vigil.Source.Git;

/// <summary>Where the desired state lives in git: a repository (URL or local path), a ref, and a folder in it.</summary>
public sealed record GitSourceSpec
{
    /// <summary>A local path, https://… or ssh://… (or user@host:path).</summary>
    public string Repository { get; init; } = "";
    /// <summary>A branch, a tag or a commit SHA.</summary>
    public string Ref { get; init; } = "main";
    /// <summary>The folder of the repository that holds the YAML; empty for the root.</summary>
    public string Path { get; init; } = "";
    /// <summary>HTTPS: a file holding a token (sent as the password; the user name is ignored by GitHub/GitLab tokens).</summary>
    public string? TokenFile { get; init; }
    /// <summary>
    /// SSH: a private key file. The bundled libgit2 runs OpenSSH's ssh; the clone's core.sshCommand gives it this key
    /// only, no prompt, and the state directory's known_hosts (a host is trusted on first use, then pinned).
    /// </summary>
    public string? SshKeyFile { get; init; }
    /// <summary>How long a fetch waits to connect, and then for each answer, before it fails (libgit2 would wait forever).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Only signed commits (or tags) apply, signed by a key in the node's own folder; null: no check.</summary>
    public Signatures.CommitVerification? Verify { get; init; }
}

/// <summary>One commit of the source, as fetched.</summary>
public sealed record FetchedCommit(string Sha, string Subject, string Author, DateTimeOffset When);

/// <summary>A fetch failed: says why (unreachable, credentials, no such ref), for the status and the log.</summary>
public sealed class GitSourceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The agent's clone of the source: cloned into a state directory once, fetched on demand. YAML is read straight
/// from a commit's tree, so no working tree is checked out and a half-written checkout can never be loaded.
/// A clone that git cannot open (corrupted, interrupted) is removed and cloned again.
/// </summary>
public sealed class GitSource : IDisposable
{
    private const string Remote = "origin";

    private readonly GitSourceSpec _spec;
    private readonly string _clonePath;
    private Repository? _repository;

    /// <summary>The repository as messages show it: without credentials a URL may carry.</summary>
    private string Shown => Redaction.Url(_spec.Repository);

    public GitSource(GitSourceSpec spec, string stateDirectory)
    {
        _spec = spec;
        _clonePath = System.IO.Path.Combine(stateDirectory, "clone.git");
    }

    /// <summary>Fetches the remote and resolves the ref to a commit; throws <see cref="GitSourceException"/> with the reason.</summary>
    public FetchedCommit Fetch()
    {
        try
        {
            return FetchOnce();
        }
        catch (GitSourceException) when (!CloneUsable())
        {
            // The clone was damaged under a running agent: Open() clones afresh, and the fetch is tried once more.
            return FetchOnce();
        }
    }

    private FetchedCommit FetchOnce()
    {
        GitTimeouts.Set(_spec.Timeout);
        var repository = Open();
        try
        {
            // Force-updating refspecs: a force-pushed branch is followed, as the remote now says.
            Commands.Fetch(repository, Remote, ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"],
                new FetchOptions { CredentialsProvider = Credentials, Prune = true, TagFetchMode = TagFetchMode.None }, null);
        }
        catch (LibGit2SharpException e)
        {
            // Opened again next time, so that damage done to the clone meanwhile is seen.
            _repository?.Dispose();
            _repository = null;
            throw new GitSourceException($"fetch {Shown}: {Redaction.UrlsIn(e.Message)}{SshReason()}", e);
        }
        var commit = Resolve(repository) ?? throw new GitSourceException($"{Shown}: no branch, tag or commit '{_spec.Ref}'");
        return Describe(commit);
    }

    private string SshErrors => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_clonePath)!, "ssh.err");

    /// <summary>What ssh itself said (libgit2 only says it could not read from the remote): " (ssh: ...)" or nothing.</summary>
    private string SshReason()
    {
        if (_spec.SshKeyFile is null || !File.Exists(SshErrors))
        {
            return "";
        }
        var said = File.ReadLines(SshErrors).Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return said is null ? "" : $" (ssh: {said})";
    }

    /// <summary>
    /// The SSH command for the key file, kept in the clone's own config (the operator's GIT_SSH_COMMAND still wins).
    /// libgit2 runs core.sshCommand as one program, without a shell, so the options live in a small script beside
    /// the clone.
    /// </summary>
    private Repository Configured(Repository repository)
    {
        if (_spec.SshKeyFile is { } key)
        {
            var directory = System.IO.Path.GetDirectoryName(_clonePath)!;
            var script = System.IO.Path.Combine(directory, "ssh");
            var seconds = (int)Math.Max(1, Math.Ceiling(_spec.Timeout.TotalSeconds));
            File.WriteAllText(script,
                "#!/bin/sh\n# Written by vigil agent for --ssh-key: this key only, no prompt, hosts trusted on first use and pinned, a silent server given up.\n" +
                $"exec ssh -i '{System.IO.Path.GetFullPath(key)}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o LogLevel=ERROR " +
                $"-o ConnectTimeout={seconds} -o ServerAliveInterval={Math.Max(1, seconds / 3)} -o ServerAliveCountMax=3 " +
                $"-o UserKnownHostsFile='{System.IO.Path.Combine(directory, "known_hosts")}' \"$@\" 2>'{SshErrors}'\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            repository.Config.Set("core.sshCommand", script);
        }
        else
        {
            repository.Config.Unset("core.sshCommand");
        }
        return repository;
    }

    /// <summary>The clone opens, follows this source's URL, and holds the commits its refs name (none deleted under it).</summary>
    private bool CloneUsable()
    {
        try
        {
            using var probe = new Repository(_clonePath);
            return probe.Network.Remotes[Remote]?.Url == _spec.Repository
                && probe.Refs.All(r => r.ResolveToDirectReference()?.Target is not null);
        }
        catch (LibGit2SharpException)
        {
            return false;
        }
    }

    /// <summary>A commit already in the clone (the last good one after a restart, when the remote cannot be reached).</summary>
    public FetchedCommit Describe(string sha) =>
        Describe(Open().Lookup<Commit>(sha) ?? throw new GitSourceException($"{Shown}: commit {Short(sha)} is not in the clone"));

    /// <summary>
    /// <paramref name="sha"/> under the source's verification: who signed it, or why it may not apply (not signed, a
    /// bad signature, a key not trusted); null when nothing is verified. With a tag mode the ref must name a tag that
    /// names it. A verdict is reached once per commit, tag and state of the trusted keys (<see cref="Verdicts"/>).
    /// </summary>
    public Signatures.SignatureVerdict? Verdict(string sha)
    {
        if (_spec.Verify is not { } verify)
        {
            return null;
        }
        var repository = Open();
        var commit = repository.Lookup<Commit>(sha) ?? throw new GitSourceException($"{Shown}: commit {Short(sha)} is not in the clone");
        return Verdicts.Get(verify.VerdictKey(repository, commit, _spec.Ref), () => verify.Check(repository, commit, _spec.Ref));
    }

    public Signatures.VerdictCache Verdicts { get; } = new();

    /// <summary>The YAML files under the source's folder at <paramref name="sha"/>, as (path relative to the folder, text).</summary>
    public IReadOnlyList<(string Path, string Text)> Files(string sha)
    {
        var commit = Open().Lookup<Commit>(sha) ?? throw new GitSourceException($"{Shown}: commit {sha} is not in the clone");
        return YamlFiles(commit, _spec.Path, Shown, pathPrefix: "");
    }

    /// <summary>
    /// The *.yaml/*.yml files below <paramref name="folder"/> of a commit, sorted, each path prefixed with
    /// <paramref name="pathPrefix"/>; hidden folders and files are skipped, as for a folder on disk.
    /// </summary>
    internal static List<(string Path, string Text)> YamlFiles(Commit commit, string folder, string repositoryLabel, string pathPrefix)
    {
        Tree? tree = commit.Tree;
        folder = folder.Trim('/');
        if (folder.Length > 0)
        {
            tree = commit[folder]?.Target as Tree ?? throw new GitSourceException($"{repositoryLabel}@{Short(commit.Sha)}: no folder '{folder}'");
        }
        var files = new List<(string, string)>();
        Collect(tree, pathPrefix, files);
        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return files;
    }

    public static string Short(string sha) => Vigil.Core.Commits.Short(sha);

    private static void Collect(Tree tree, string prefix, List<(string, string)> files)
    {
        foreach (var entry in tree)
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }
            var path = prefix + entry.Name;
            if (entry.TargetType == TreeEntryTargetType.Tree)
            {
                Collect((Tree)entry.Target, path + "/", files);
            }
            else if (entry.TargetType == TreeEntryTargetType.Blob && (path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal)))
            {
                files.Add((path, Yaml.InputLimits.ReadText(((Blob)entry.Target).GetContentStream())));
            }
        }
    }

    private Commit? Resolve(Repository repository)
    {
        var name = _spec.Ref;
        if (repository.Refs[$"refs/remotes/{Remote}/{name}"] is { } branch)
        {
            return branch.ResolveToDirectReference()?.Target as Commit;
        }
        if (repository.Tags[name] is { } tag)
        {
            return tag.PeeledTarget as Commit;
        }
        return name.Length >= 7 && name.All(Uri.IsHexDigit) ? repository.Lookup<Commit>(name) : null;
    }

    private Repository Open()
    {
        if (_repository is not null)
        {
            return _repository;
        }
        if (Directory.Exists(_clonePath))
        {
            if (CloneUsable())
            {
                _repository = new Repository(_clonePath);
                return Configured(_repository);
            }
            // Damaged (interrupted clone, deleted objects) or another source's: start again.
            Directory.Delete(_clonePath, recursive: true);
        }
        // A bare repository with the remote configured; the first fetch fills it.
        Repository.Init(_clonePath, isBare: true);
        _repository = new Repository(_clonePath);
        _repository.Network.Remotes.Add(Remote, _spec.Repository);
        return Configured(_repository);
    }

    private Credentials Credentials(string url, string usernameFromUrl, SupportedCredentialTypes types)
    {
        if (_spec.TokenFile is { } tokenFile && types.HasFlag(SupportedCredentialTypes.UsernamePassword))
        {
            return new UsernamePasswordCredentials { Username = usernameFromUrl ?? "vigil", Password = File.ReadAllText(tokenFile).Trim() };
        }
        return new DefaultCredentials();
    }

    internal static FetchedCommit Describe(Commit commit) =>
        new(commit.Sha, commit.MessageShort, commit.Author.Name, commit.Author.When);

    public void Dispose() => _repository?.Dispose();
}
