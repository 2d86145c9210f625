using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Source.Tests.Git;

/// <summary>The git source against real repositories made by the git command line (an independent implementation).</summary>
[Collection(Libgit2Collection.Name)]
public sealed class GitSourceTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-git-").FullName;
    private readonly GitRepository _repository;
    private readonly string _origin;
    private readonly string _state;

    public GitSourceTests()
    {
        _origin = Path.Combine(_work, "origin");
        _state = Path.Combine(_work, "state");
        _repository = new GitRepository(_origin);
        _repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "cluster");
        File.WriteAllText(Path.Combine(_origin, "README.yaml"), "not: part of the cluster\n");
        Commit("first");
    }

    private GitSource Source(string reference = "main") =>
        new(new GitSourceSpec { Repository = _origin, Ref = reference, Path = "cluster" }, _state);

    [Fact]
    public void Fetch_Branch_GivesItsHead_AndTheYamlUnderThePath()
    {
        using var source = Source();

        var commit = source.Fetch();

        Assert.Equal(Git("rev-parse", "main"), commit.Sha);
        Assert.Equal("first", commit.Subject);
        var files = source.Files(commit.Sha);
        Assert.Equal(["cluster.yaml", "vi_1.yaml"], files.Select(f => f.Path));
        Assert.True(new DesiredStateLoader().Load(files).IsValid);
    }

    [Fact]
    public void Fetch_SeesANewCommit_AndOldCommitsStayReadable()
    {
        using var source = Source();
        var first = source.Fetch();
        var vi = Path.Combine(_origin, "cluster", "vi_1.yaml");
        File.WriteAllText(vi, File.ReadAllText(vi).Replace("198.51.100.100", "198.51.100.101", StringComparison.Ordinal));
        Commit("move the VIP");

        var second = source.Fetch();

        Assert.Equal(Git("rev-parse", "main"), second.Sha);
        Assert.NotEqual(first.Sha, second.Sha);
        Assert.Contains("198.51.100.101", source.Files(second.Sha).Single(f => f.Path == "vi_1.yaml").Text, StringComparison.Ordinal);
        Assert.Contains("198.51.100.100", source.Files(first.Sha).Single(f => f.Path == "vi_1.yaml").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_TagOrSha_ResolvesToThatCommit()
    {
        var first = Git("rev-parse", "HEAD");
        Git("tag", "-a", "v1", "-m", "release 1");
        Commit("second", allowEmpty: true);

        using (var tagged = Source("v1"))
        {
            Assert.Equal(first, tagged.Fetch().Sha);
        }
        using var pinned = Source(first[..10]);
        Assert.Equal(first, pinned.Fetch().Sha);
    }

    [Fact]
    public void Fetch_ForcePushedBranch_FollowsTheRemote()
    {
        Commit("to be rewritten", allowEmpty: true);
        using var source = Source();
        var before = source.Fetch();
        Git("reset", "-q", "--hard", "HEAD~1");
        Commit("rewritten", allowEmpty: true);

        var after = source.Fetch();

        Assert.Equal(Git("rev-parse", "main"), after.Sha);
        Assert.NotEqual(before.Sha, after.Sha);
        Assert.Equal("rewritten", after.Subject);
    }

    [Fact]
    public void Fetch_UnknownRef_SaysSo()
    {
        using var source = Source("nosuch");

        var refused = Assert.Throws<GitSourceException>(() => source.Fetch());

        Assert.Equal($"{_origin}: no branch, tag or commit 'nosuch'", refused.Message);
    }

    [Fact]
    public void Fetch_UnreachableRemote_SaysWhy_AndTheLastFetchedCommitStaysReadable()
    {
        using var source = Source();
        var good = source.Fetch();
        Directory.Move(_origin, _origin + ".gone");

        var refused = Assert.Throws<GitSourceException>(() => source.Fetch());

        Assert.StartsWith($"fetch {_origin}: ", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, source.Files(good.Sha).Count);
        Directory.Move(_origin + ".gone", _origin);
    }

    /// <summary>HTTP with a token from a file, against git's own smart-HTTP server: the right token fetches, a wrong one says so.</summary>
    [Fact]
    public void Fetch_OverHttp_TokenFromAFile_WrongTokenIsRefusedWithTheReason()
    {
        Skips.IfMissing(GitHttpServer.SkipReason);
        using var server = new GitHttpServer(_work, "s3cr3t-token");
        var token = Path.Combine(_work, "token");
        File.WriteAllText(token, "s3cr3t-token\n");
        var url = $"{server.BaseUrl}/origin";
        using (var good = new GitSource(new GitSourceSpec { Repository = url, Ref = "main", Path = "cluster", TokenFile = token }, _state))
        {
            var commit = good.Fetch();
            Assert.Equal(Git("rev-parse", "main"), commit.Sha);
            Assert.Equal(2, good.Files(commit.Sha).Count);
        }
        File.WriteAllText(token, "expired\n");
        Commit("after the token expired", allowEmpty: true);

        using var bad = new GitSource(new GitSourceSpec { Repository = url, Ref = "main", Path = "cluster", TokenFile = token }, _state);
        var refused = Assert.Throws<GitSourceException>(() => bad.Fetch());

        Assert.StartsWith($"fetch {url}: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("auth", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(server.Refused > 0);
        Assert.Equal(2, bad.Files(Git("rev-parse", "main~1")).Count); // the last fetched commit is still there to run
    }

    /// <summary>SSH with a key file, against OpenSSH's sshd: the authorized key fetches, another key is refused with the reason.</summary>
    [Fact]
    public void Fetch_OverSsh_KeyFile_OtherKeyIsRefusedWithTheReason()
    {
        Skips.IfMissing(SshServer.SkipReason);
        var (authorized, other) = (Path.Combine(_work, "id_vigil"), Path.Combine(_work, "id_other"));
        SshServer.KeyGen(authorized);
        SshServer.KeyGen(other);
        using var server = new SshServer(Path.Combine(_work, "sshd"), authorized);
        var url = $"ssh://root@127.0.0.1:{server.Port}{_origin}";
        using (var good = new GitSource(new GitSourceSpec { Repository = url, Ref = "main", Path = "cluster", SshKeyFile = authorized }, _state))
        {
            var commit = good.Fetch();
            Assert.Equal(Git("rev-parse", "main"), commit.Sha);
            Assert.Equal(2, good.Files(commit.Sha).Count);
        }
        Assert.Contains(" ssh-ed25519 ", File.ReadAllText(Path.Combine(_state, "known_hosts")), StringComparison.Ordinal); // the host key, pinned on first use

        using var refused = new GitSource(new GitSourceSpec { Repository = url, Ref = "main", Path = "cluster", SshKeyFile = other }, _state);
        var error = Assert.Throws<GitSourceException>(() => refused.Fetch());

        Assert.StartsWith($"fetch {url}: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(ssh: root@127.0.0.1: Permission denied (publickey).)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A remote that accepts the connection and never says a word (over HTTP, and over SSH before its banner): the
    /// fetch fails after the source's timeout with the reason, instead of waiting forever (libgit2's default) and holding
    /// the agent's worker with it.
    /// </summary>
    [Theory]
    [InlineData("http")]
    [InlineData("ssh")]
    public async Task Fetch_FromARemoteThatNeverAnswers_FailsAfterTheTimeout(string scheme)
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // the kernel completes the handshake; nobody ever reads or writes
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        string? key = null;
        if (scheme == "ssh")
        {
            Skips.IfMissing(SshServer.SkipReason);
            key = Path.Combine(_work, "id_vigil");
            SshServer.KeyGen(key);
        }
        var url = scheme == "http" ? $"http://127.0.0.1:{port}/cluster.git" : $"ssh://root@127.0.0.1:{port}/cluster.git";
        using var source = new GitSource(new GitSourceSpec { Repository = url, SshKeyFile = key, Timeout = TimeSpan.FromSeconds(2) }, _state);

        var fetch = Task.Run(source.Fetch, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<GitSourceException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.StartsWith($"fetch {url}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal((2000, 2000), GitTimeouts.Current);
    }

    [Fact]
    public void Fetch_CorruptedClone_IsClonedAgain()
    {
        using (var source = Source())
        {
            source.Fetch();
        }
        File.WriteAllText(Path.Combine(_state, "clone.git", "HEAD"), "garbage");
        Directory.Delete(Path.Combine(_state, "clone.git", "objects"), recursive: true);

        using var again = Source();

        Assert.Equal(Git("rev-parse", "main"), again.Fetch().Sha);
    }

    [Fact]
    public void Files_MissingFolder_NamesIt()
    {
        using var source = new GitSource(new GitSourceSpec { Repository = _origin, Ref = "main", Path = "nosuch" }, _state);
        var commit = source.Fetch();

        var refused = Assert.Throws<GitSourceException>(() => source.Files(commit.Sha));

        Assert.Equal($"{_origin}@{GitSource.Short(commit.Sha)}: no folder 'nosuch'", refused.Message);
    }

    private void Commit(string message, bool allowEmpty = false) => _repository.Commit(message, allowEmpty);

    private string Git(params string[] arguments) => _repository.Git(arguments);

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
