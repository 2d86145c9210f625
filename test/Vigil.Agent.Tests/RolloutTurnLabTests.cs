using Vigil.Demo;
using Vigil.Lab;
using Vigil.Source.Git;

namespace Vigil.Agent.Tests;

/// <summary>
/// Rollouts with rollout.waitForPeers in the lab: two agents follow one real repository and ask each other over peer
/// status (signed with the cluster's key from a file on each node). A VRID change reaches the backup first and the
/// master in its turn, with no takeover, although the master fetches first; a frozen backup (SIGSTOP) stalls the master
/// at the timeout, the status saying whom it waits for, and the rollout completes when the backup thaws.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class RolloutTurnLabTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private sealed record Pair(FailoverLab Lab, GitRepository Origin, System.Diagnostics.Process Ka2) : IDisposable
    {
        public string State(string node) => Path.Combine(Lab.Directory, node + "-state");

        public string? Commit(string node) => (string?)Lab.SourceStatus(node)?["commit"];

        public RolloutDocument? Rollout(string node) => Lab.TypedStatus(node)?.Rollout;

        public DateTimeOffset AppliedAt(string node, string commit) =>
            ApplyHistory.Read(Path.Combine(State(node), ApplyHistory.FileName)).Single(h => h.Commit == commit && h.Outcome == ReconcileOutcome.Applied).At;

        public void Dispose() => Lab.Dispose();
    }

    /// <summary>
    /// The pair on a repository whose Cluster waits for peers. ka1 (the master) fetches every 500 ms and ka2 every 3 s,
    /// so the master has the commit first: without the gate it would go first.
    /// </summary>
    private static Pair Start(string rollout)
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        var lab = new FailoverLab(new Scenario());
        try
        {
            var keyFile = Path.Combine(lab.Directory, "peer.key");
            File.WriteAllText(keyFile, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + "\n");
            var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
            File.WriteAllText(cluster, File.ReadAllText(cluster).Replace("spec:\n",
                $"spec:\n  peerStatus:\n    port: 9111\n    keyFile: {keyFile}\n  rollout:\n{rollout}", StringComparison.Ordinal));
            var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
            origin.CopyIn(lab.ConfigFolder, "cluster");
            origin.Commit("two nodes, one VIP, rollouts in turn");
            lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--interval", node == "ka1" ? "500ms" : "3s",
                "--state-dir", Path.Combine(lab.Directory, node + "-state")];
            var (_, ka2) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
            return new Pair(lab, origin, ka2);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Waits for <paramref name="done"/>, failing if meanwhile the VIP leaves ka1 or ka2 becomes master.</summary>
    private static void WithoutTakeover(Pair pair, Func<bool> done, string what)
    {
        var lab = pair.Lab;
        string? broken = null;
        Assert.True(FailoverLab.WaitUntil(() =>
        {
            if (!lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) || lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip) || lab.State("ka2") == "Master")
            {
                broken ??= $"ka1 holds the VIP: {lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip)}, ka2 holds it: {lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip)}, ka2 is {lab.State("ka2")}";
            }
            return done();
        }, Within), $"{what}\n{lab.Explain()}");
        Assert.True(broken is null, $"{broken}\n{lab.Explain()}");
    }

    [Fact]
    public void AVridChange_ReachesTheBackupFirst_AndTheMasterInItsTurn_WithNoTakeover()
    {
        using var pair = Start("    waitForPeers: true\n    waitTimeout: 1m\n");
        pair.Origin.Edit("cluster/vi_1.yaml", "  virtualRouterId: 51", "  virtualRouterId: 53");
        var next = pair.Origin.Commit("VRID 51 -> 53");

        // ka1 fetches it first and waits, saying for whom.
        Assert.True(FailoverLab.WaitUntil(() => pair.Rollout("ka1") is { Verdict: "wait" }, Within), pair.Lab.Explain());
        Assert.StartsWith($"waiting for ka2 to apply {GitSource.Short(next)}", pair.Rollout("ka1")!.Message, StringComparison.Ordinal);
        WithoutTakeover(pair, () => pair.Commit("ka1") == next && pair.Commit("ka2") == next, "the commit did not reach both nodes");

        Assert.True(pair.AppliedAt("ka2", next) < pair.AppliedAt("ka1", next), "ka1 (the master) applied before ka2 (the backup)");
        Assert.Equal(("go", $"{GitSource.Short(next)}: ka2 goes first (vi_1 step 1 of 2)"), (pair.Rollout("ka2")!.Verdict, pair.Rollout("ka2")!.Message));
        Assert.Equal($"{GitSource.Short(next)}: ka2 has applied it and is ready: ka1's turn (vi_1 step 2 of 2)", pair.Rollout("ka1")!.Message);
        Assert.Equal(53, pair.Lab.TypedStatus("ka1")!.Instances[0].VirtualRouterId);
        Assert.Equal(("Master", "Backup"), (pair.Lab.State("ka1"), pair.Lab.State("ka2")));
        Assert.Contains($"{GitSource.Short(next)}", pair.Lab.Output("ka1"), StringComparison.Ordinal);
        Assert.Contains("rollout order vi_1 (VRID 51 -> 53: backups first, the master last)", pair.Lab.Output("ka1"), StringComparison.Ordinal);
    }

    [Fact]
    public void AFrozenBackup_StallsTheMaster_AtTheTimeout_AndTheRolloutCompletesWhenItThaws()
    {
        using var pair = Start("    waitForPeers: true\n    waitTimeout: 4s\n    onTimeout: stall\n");
        var first = pair.Commit("ka1");
        NamespaceLab.Signal(pair.Ka2, "STOP");
        pair.Origin.Edit("cluster/vi_1.yaml", "  virtualRouterId: 51", "  virtualRouterId: 53");
        var next = pair.Origin.Commit("VRID 51 -> 53");

        Assert.True(FailoverLab.WaitUntil(() => pair.Rollout("ka1") is { Verdict: "stall" }, Within), pair.Lab.Explain());
        var stalled = pair.Rollout("ka1")!;
        Assert.Equal(next, stalled.Commit);
        Assert.Equal(["ka2"], stalled.WaitingFor);
        Assert.Contains("ka2 does not answer (no answer in time)", stalled.Message, StringComparison.Ordinal);
        Assert.Contains("stalled, still running the revision before (rollout.onTimeout: stall)", stalled.Message, StringComparison.Ordinal);
        Assert.Equal(first, pair.Commit("ka1"));
        Assert.Equal("stalled", (string?)pair.Lab.SourceStatus("ka1")!["lastPass"]!["result"]);
        Assert.True(pair.Lab.Lab.Holds(pair.Lab.Ka1, pair.Lab.Scenario.Vip));
        using (var output = new StringWriter())
        {
            Assert.Equal(0, Vigil.Cli.VigilCommandLine.Run(["status", pair.Lab.StatusFile("ka1")], output, output));
            Assert.Contains($"rollout: ka2 did not apply {GitSource.Short(next)} within 00:00:04: stalled", output.ToString(), StringComparison.Ordinal);
        }

        NamespaceLab.Signal(pair.Ka2, "CONT");
        WithoutTakeover(pair, () => pair.Commit("ka1") == next && pair.Commit("ka2") == next, "the rollout did not complete after ka2 thawed");
        Assert.True(pair.AppliedAt("ka2", next) < pair.AppliedAt("ka1", next), "ka1 applied before ka2");
        Assert.Equal("go", pair.Rollout("ka1")!.Verdict);
    }
}
