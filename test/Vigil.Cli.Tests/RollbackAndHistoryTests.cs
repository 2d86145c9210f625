using System.Text.Json.Nodes;
using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

/// <summary>`vigil rollback` on real repositories (checked with the git command line) and `vigil history` on a history file.</summary>
public sealed class RollbackAndHistoryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-rollback-").FullName;
    private readonly GitRepository _repository;
    private readonly string _good;

    public RollbackAndHistoryTests()
    {
        _repository = new GitRepository(Path.Combine(_work, "cluster"));
        _repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "");
        _good = _repository.Commit("basic");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Rollback_RevertsEveryLaterCommit_NewestFirst_AndShowsThePlan()
    {
        _repository.Edit("vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        _repository.Commit("add .101");
        _repository.Edit("vi_1.yaml", "priority: 80", "priority: 90");
        var bad = _repository.Commit("ka2 to 90");

        var run = CliRun.Of("rollback", "--repo", _repository.Path, "--to", _good[..10]);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(["Revert \"add .101\"", "Revert \"ka2 to 90\"", "ka2 to 90", "add .101", "basic"], // newest first: "ka2 to 90" was reverted first
            _repository.Git("log", "--format=%s").Split('\n'));
        Assert.Equal("", _repository.Git("diff", _good, "HEAD")); // back to the good tree
        Assert.Contains($"This reverts commit {bad}", _repository.Git("log", "-1", "--skip=1", "--format=%B"), StringComparison.Ordinal); // the first revert made
        Assert.Contains("made 2 revert commit(s); the nodes will see:", run.Output, StringComparison.Ordinal);
        Assert.Contains("  - vip 198.51.100.101/24 from vi_1", run.Output, StringComparison.Ordinal);
        Assert.Contains("  ~ instance vi_1: priority 90 -> 80", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_DirtyWorkTree_CommitsNothing()
    {
        _repository.Commit("later", allowEmpty: true);
        var head = _repository.Git("rev-parse", "HEAD");
        _repository.Edit("vi_1.yaml", "priority: 80", "priority: 85");

        var run = CliRun.Of("rollback", "--repo", _repository.Path, "--to", _good);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("uncommitted changes", run.Error, StringComparison.Ordinal);
        Assert.Equal(head, _repository.Git("rev-parse", "HEAD"));
    }

    /// <summary>A pull request merged with a merge commit is reverted as one change (against the branch it was merged into).</summary>
    [Fact]
    public void Rollback_MergedPullRequest_RevertsTheMerge()
    {
        _repository.Git("checkout", "-q", "-b", "pr");
        _repository.Edit("vi_1.yaml", "priority: 80", "priority: 90");
        _repository.Commit("ka2 to 90");
        _repository.Edit("vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        _repository.Commit("add .101");
        _repository.Git("checkout", "-q", "main");
        _repository.Git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", "pr");

        var run = CliRun.Of("rollback", "--repo", _repository.Path, "--to", _good);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("Revert \"Merge pull request #7\"", _repository.Git("log", "-1", "--format=%s"));
        Assert.Equal("", _repository.Git("diff", _good, "HEAD"));
        Assert.Contains("  - vip 198.51.100.101/24 from vi_1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_NotAnAncestor_Fails()
    {
        _repository.Git("checkout", "-q", "-b", "other");
        var elsewhere = _repository.Commit("elsewhere", allowEmpty: true);
        _repository.Git("checkout", "-q", "main");

        var run = CliRun.Of("rollback", "--repo", _repository.Path, "--to", elsewhere);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not an ancestor of main", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void History_ListsEachCommitWithOutcomeAndWhy()
    {
        var state = Path.Combine(_work, "state");
        var file = Path.Combine(state, ApplyHistory.FileName);
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero);
        ApplyHistory.Append(file, new HistoryEntry(_good, "basic", at, ReconcileOutcome.Applied, [], 41.6));
        ApplyHistory.Append(file, new HistoryEntry(new string('b', 40), "a VRID out of range", at.AddMinutes(1), ReconcileOutcome.Refused,
            ["vi_1.yaml:8:20: error: spec.virtualRouterId: 300 is more than 255"], 3.2));
        File.AppendAllText(file, "{\"torn"); // a crash mid-line

        var text = CliRun.Of("history", "--state-dir", state);
        var json = CliRun.Of("history", "--state-dir", state, "-o", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"2026-11-25 10:00:00.123  {_good[..12]}  applied            42ms  basic", text.Output, StringComparison.Ordinal);
        Assert.Contains("bbbbbbbbbbbb  refused", text.Output, StringComparison.Ordinal);
        Assert.Contains("vi_1.yaml:8:20: error: spec.virtualRouterId", text.Output, StringComparison.Ordinal);
        var entries = JsonNode.Parse(json.Output)!.AsArray();
        Assert.Equal(["applied", "refused"], entries.Select(e => (string?)e!["outcome"]));
        Assert.Equal(1, CliRun.Of("history", "--state-dir", Path.Combine(_work, "none")).ExitCode);
    }
}
