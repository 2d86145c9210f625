using Vigil.Demo;
using Vigil.Lab;
using Vigil.Source.Git;

namespace Vigil.Agent.Tests;

/// <summary>
/// Agents that apply only signed commits (--verify-commits head, an SSH key in the node's trusted folder), following a
/// real repository in the lab: an unsigned commit is refused like an invalid one (nothing applied, the last good commit
/// kept, the status and the history say which commit and why), and the next signed commit applies.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class SignedCommitFollowTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    [Fact]
    public void UnsignedCommit_IsRefused_TheLastGoodKept_AndASignedOneApplies()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var keys = new SigningKeys();
        using var lab = new FailoverLab(new Scenario());
        var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
        origin.CopyIn(lab.ConfigFolder, "cluster");
        string Signed(string message)
        {
            origin.Git("add", "-A");
            origin.Git([.. keys.Signing("ssh", "ops"), "commit", "-q", "-S", "-m", message]);
            return origin.Git("rev-parse", "HEAD");
        }
        var first = Signed("two nodes, one VIP");
        string State(string node) => Path.Combine(lab.Directory, node + "-state");
        lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--interval", "1s", "--state-dir", State(node),
            "--verify-commits", "head", "--trusted-keys", keys.Trusted];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.Equal(first, (string?)lab.SourceStatus("ka1")?["commit"]);
        Assert.Equal("ops@example.org (SSH)", (string?)lab.SourceStatus("ka1")?["signedBy"]);

        origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        var unsigned = origin.Commit("add 198.51.100.101, unsigned");

        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["lastErrorCommit"] == unsigned, Within), lab.Explain());
        Assert.Contains($"commit {GitSource.Short(unsigned)} is not signed", (string)lab.SourceStatus("ka1")!["lastError"]!, StringComparison.Ordinal);
        Assert.Equal(first, (string?)lab.SourceStatus("ka1")!["commit"]);
        Assert.False(lab.Lab.Holds(lab.Ka1, "198.51.100.101"));
        Assert.Equal("Master", lab.State("ka1"));

        origin.Edit("cluster/vi_1.yaml", "198.51.100.101/24", "198.51.100.102/24");
        var signed = Signed("198.51.100.102 instead, signed");

        // The kernel and the status file are written one after the other: wait for both.
        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["commit"] == signed && lab.Lab.Holds(lab.Ka1, "198.51.100.102"), Within), lab.Explain());
        var history = ApplyHistory.Read(Path.Combine(State("ka1"), ApplyHistory.FileName));
        Assert.Equal([(first, ReconcileOutcome.Applied), (unsigned, ReconcileOutcome.Refused), (signed, ReconcileOutcome.Applied)],
            history.Select(h => (h.Commit, h.Outcome)));
        Assert.Contains(history[1].Details, d => d.Contains("is not signed", StringComparison.Ordinal));
        Assert.Equal(["ops@example.org (SSH)", null, "ops@example.org (SSH)"], history.Select(h => h.SignedBy));
    }
}
