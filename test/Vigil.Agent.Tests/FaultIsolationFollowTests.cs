using Vigil.Demo;
using Vigil.Lab;
using Vigil.Source.Git;

namespace Vigil.Agent.Tests;

/// <summary>
/// Fault isolation with agents following a real repository in the lab: a commit that breaks the db/ folder and moves
/// the network/ folder's VIP applies network/ on both nodes while db/ keeps its VIP from the last good commit, the
/// status and the history say so, and the commit that fixes db/ applies whole.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class FaultIsolationFollowTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    [Fact]
    public void BrokenUnit_IsHeldBack_OnBothNodes_WhileTheOtherAdvances_ThenTheFixApplies()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
        var cluster = File.ReadAllText(Path.Combine(lab.ConfigFolder, "cluster.yaml"));
        var instance = File.ReadAllText(Path.Combine(lab.ConfigFolder, "vi_1.yaml"));
        origin.Write("cluster/cluster.yaml", cluster.Replace("spec:\n", "spec:\n  faultIsolation: topLevelFolders\n", StringComparison.Ordinal));
        origin.Write("cluster/network/vi_1.yaml", instance);
        origin.Write("cluster/db/vi_db.yaml", instance.Replace("name: vi_1", "name: vi_db", StringComparison.Ordinal)
            .Replace("virtualRouterId: 51", "virtualRouterId: 52", StringComparison.Ordinal).Replace("198.51.100.100/24", "198.51.100.110/24", StringComparison.Ordinal));
        var first = origin.Commit("network/ and db/, one VIP each");
        string State(string node) => Path.Combine(lab.Directory, node + "-state");
        lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--interval", "1s", "--state-dir", State(node)];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.110"), Within), lab.Explain());

        origin.Edit("cluster/network/vi_1.yaml", "198.51.100.100/24", "198.51.100.101/24");
        origin.Edit("cluster/db/vi_db.yaml", "virtualRouterId: 52", "virtualRouterId: 300");
        origin.Edit("cluster/db/vi_db.yaml", "198.51.100.110/24", "198.51.100.111/24");
        var broken = origin.Commit("network/ moves its VIP; db/ breaks");

        foreach (var node in new[] { "ka1", "ka2" })
        {
            Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus(node)?["commit"] == broken, Within), lab.Explain());
            var held = Assert.Single(lab.SourceStatus(node)!["heldUnits"]!.AsArray())!;
            Assert.Equal(("db/", first), ((string?)held["unit"], (string?)held["commit"]));
            Assert.Contains("cluster/db/vi_db.yaml:", (string)held["reason"]!, StringComparison.Ordinal);
        }
        Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101") && !lab.Lab.Holds(lab.Ka1, "198.51.100.100"), Within), lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.110"), "db/'s VIP from the last good commit stays");
        Assert.False(lab.Lab.Holds(lab.Ka1, "198.51.100.111"));
        Assert.False(lab.Lab.Holds(lab.Ka2, "198.51.100.101") || lab.Lab.Holds(lab.Ka2, "198.51.100.110"), "ka2 stays backup of both");
        var history = ApplyHistory.Read(Path.Combine(State("ka1"), ApplyHistory.FileName));
        Assert.Equal((broken, ReconcileOutcome.PartlyApplied), (history[^1].Commit, history[^1].Outcome));
        Assert.StartsWith($"unit db/ held back at commit {GitSource.Short(first)}: ", history[^1].Details[0], StringComparison.Ordinal);

        origin.Edit("cluster/db/vi_db.yaml", "virtualRouterId: 300", "virtualRouterId: 52");
        var fixedCommit = origin.Commit("db/ fixed");

        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["commit"] == fixedCommit && lab.Lab.Holds(lab.Ka1, "198.51.100.111"), Within), lab.Explain());
        Assert.Empty(lab.SourceStatus("ka1")!["heldUnits"]!.AsArray());
        Assert.False(lab.Lab.Holds(lab.Ka1, "198.51.100.110"));
        Assert.Equal("Master", lab.State("ka1"));
    }
}
