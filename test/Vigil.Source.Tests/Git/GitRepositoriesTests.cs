using Vigil.Source.Git;

namespace Vigil.Source.Tests.Git;

/// <summary>A repository found as git finds it: upwards from a folder of its work tree, and none outside one.</summary>
[Collection(Libgit2Collection.Name)]
public sealed class GitRepositoriesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-discover-").FullName;

    [Fact]
    public void Discover_FromASubfolder_FindsTheWorkTreesRepository()
    {
        var repository = new GitRepository(Path.Combine(_folder, "repo"));
        repository.Write("cluster/vi_1.yaml", "kind: Cluster\n");
        repository.Commit("cluster");

        using var found = GitRepositories.Discover(repository.PathOf("cluster"));

        Assert.Equal(Path.Combine(repository.Path, ".git") + "/", found.Info.Path);
        Assert.Equal(repository.Git("rev-parse", "HEAD"), found.Head.Tip.Sha);
    }

    [Fact]
    public void Discover_OutsideAnyRepository_SaysSo()
    {
        // A folder under /tmp is outside any repository unless /tmp is in one (it is not on a test machine).
        var outside = Directory.CreateDirectory(Path.Combine(_folder, "plain")).FullName;
        var error = Assert.Throws<GitSourceException>(() => GitRepositories.Discover(outside));
        Assert.Equal($"{outside}: not in a git repository", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
