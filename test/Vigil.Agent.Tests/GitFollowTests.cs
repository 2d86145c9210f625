using System.Diagnostics;
using System.Text.Json.Nodes;
using Vigil.Demo;
using Vigil.Lab;
using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// Two agents following a real local git repository (the operator's commits made with the git command line), in
/// the namespace lab: a commit is applied within one fetch interval plus 2 s, an invalid commit changes nothing and
/// is reported with its file:line and commit, a fix is applied, `git revert` is the rollback.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class GitFollowTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Within = Interval + TimeSpan.FromSeconds(2);

    [Fact]
    public void Commits_AreApplied_InvalidOnesRefused_RevertRollsBack()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var (origin, first) = FollowGit(lab, "1s", "--listen", "127.0.0.1:9110");
        var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.Equal(first, (string?)lab.SourceStatus("ka1")?["commit"]);
        var metrics = Http(lab, "ka1", "/metrics");
        Assert.Contains($"vigil_commit_info{{node=\"ka1\",commit=\"{first}\",last_good=\"{first}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("vigil_vrrp_state{node=\"ka1\",instance=\"vi_1\",state=\"master\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("vigil_source_error{node=\"ka1\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Equal(first, (string?)JsonNode.Parse(Http(lab, "ka2", "/status"))!["source"]!["commit"]);
        var since = (string?)lab.Status("ka1")!["since"];

        // A new VIP: the master holds it within the interval + 2 s, without a transition; the backup does not.
        origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        var added = origin.Commit("add 198.51.100.101");
        Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101"), Within), lab.Explain());
        Assert.False(lab.Lab.Holds(lab.Ka2, "198.51.100.101"));
        Assert.Equal("Master", lab.State("ka1"));
        Assert.Equal(since, (string?)lab.Status("ka1")!["since"]);
        Assert.Contains($"commit {GitSource.Short(added)}: vi_1: Adjust", lab.Output("ka1"), StringComparison.Ordinal);
        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka2")?["commit"] == added, Within), lab.Explain());

        // An invalid commit: nothing changes; the status names the file, line, field and commit.
        origin.Edit("cluster/vi_1.yaml", "virtualRouterId: 51", "virtualRouterId: 300");
        var invalid = origin.Commit("a VRID out of range");
        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["lastErrorCommit"] == invalid, Within), lab.Explain());
        var error = (string)lab.SourceStatus("ka1")!["lastError"]!;
        Assert.Contains($"commit {GitSource.Short(invalid)}: invalid", error, StringComparison.Ordinal);
        Assert.Matches(@"cluster/vi_1\.yaml:\d+:\d+: .*virtualRouterId", error);
        Assert.Equal(added, (string?)lab.SourceStatus("ka1")!["commit"]);
        Assert.Equal("refused", (string?)lab.SourceStatus("ka1")!["lastOutcome"]);
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.101"));
        Assert.Equal(since, (string?)lab.Status("ka1")!["since"]);
        Assert.Contains("vigil_source_error{node=\"ka1\"} 1\n", Http(lab, "ka1", "/metrics"), StringComparison.Ordinal);

        // Fixed: applied, the error cleared.
        origin.Edit("cluster/vi_1.yaml", "virtualRouterId: 300", "virtualRouterId: 51");
        var fixedCommit = origin.Commit("fix the VRID");
        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["commit"] == fixedCommit, Within), lab.Explain());
        Assert.Null((string?)lab.SourceStatus("ka1")!["lastError"]);
        Assert.Equal(fixedCommit, (string?)lab.SourceStatus("ka1")!["lastGood"]);

        // git revert of the VIP commit is the rollback: back to the VIPs before it.
        origin.Git("revert", "--no-edit", added);
        var reverted = origin.Git("rev-parse", "HEAD");
        Assert.True(FailoverLab.WaitUntil(() => !lab.Lab.Holds(lab.Ka1, "198.51.100.101"), Within), lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.100"));
        Assert.Equal("Master", lab.State("ka1"));
        Assert.Equal(since, (string?)lab.Status("ka1")!["since"]);
        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["commit"] == reverted, Within), lab.Explain());

        // The history lists every commit the node took or refused, in order, with its outcome.
        var history = ApplyHistory.Read(Path.Combine(StateDirectory(lab, "ka1"), ApplyHistory.FileName));
        Assert.Equal(
            [(first, ReconcileOutcome.Applied), (added, ReconcileOutcome.Applied), (invalid, ReconcileOutcome.Refused), (fixedCommit, ReconcileOutcome.Applied), (reverted, ReconcileOutcome.Applied)],
            history.Select(h => (h.Commit, h.Outcome)));
        Assert.Contains(history[2].Details, d => d.Contains("virtualRouterId", StringComparison.Ordinal));
        NamespaceLab.Signal(ka1, "TERM");
    }

    /// <summary>
    /// A restart, planned (SIGUSR2) or after a crash (SIGKILL), does not move the VIP: the new agent finds it still on the
    /// interface and its predecessor's status saying master, and resumes as master within the backup's Master_Down_Interval.
    /// A slow start (the predecessor's status dated back past three advert intervals, as a loaded machine makes it) must
    /// not move it either: the new agent listened since it came up and heard no other master.
    /// </summary>
    [Theory]
    [InlineData("USR2", false)]
    [InlineData("KILL", false)]
    [InlineData("USR2", true)]
    public void Restart_KeepsTheVip_NoFlap(string signal, bool slowStart)
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(Interval: "1s"));
        var (_, commit) = FollowGit(lab, "1s");
        var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var vip = lab.Scenario.Vip;
        var stoppedAt = Takeover.Now();

        NamespaceLab.Signal(ka1, signal);
        Assert.True(ka1.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.True(lab.Lab.Holds(lab.Ka1, vip), "the VIP went with the agent");
        if (slowStart)
        {
            File.SetLastWriteTimeUtc(lab.StatusFile("ka1"), DateTime.UtcNow - (3 * lab.Scenario.AdvertInterval) - TimeSpan.FromMilliseconds(500));
        }
        var restart = Stopwatch.StartNew();
        lab.StartVigil("ka1");
        var lost = false;
        while (restart.Elapsed < TimeSpan.FromSeconds(15) && !((string?)lab.Status("ka1")?["reason"] ?? "").StartsWith("resumed", StringComparison.Ordinal))
        {
            lost |= !lab.Lab.Holds(lab.Ka1, vip) || lab.Lab.Holds(lab.Ka2, vip);
            Thread.Sleep(20);
        }
        Thread.Sleep(2 * lab.Scenario.AdvertInterval);

        Assert.False(lost, $"the VIP left ka1 or reached ka2 during the restart\n{lab.Explain()}");
        Assert.Equal("Master", lab.State("ka1"));
        Assert.Matches(slowStart ? @"^resumed: master \d+ ms before the restart, its 1 VIP\(s\) still on eth0, no other master heard in \d+ ms$"
            : @"^resumed: master \d+ ms before the restart, its 1 VIP\(s\) still on eth0(, no other master heard in \d+ ms)?$", (string?)lab.Status("ka1")!["reason"]);
        Assert.Equal("Backup", lab.State("ka2"));
        Assert.DoesNotContain(lab.Wire.Events, e => e.Time > stoppedAt && e.Mac == lab.Ka2.Mac && e.Kind == WireKind.Advert);
        Assert.Equal(commit, (string?)lab.SourceStatus("ka1")?["commit"]);
        var adverts = lab.Wire.Events.Where(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert).Select(e => e.Time).ToList();
        var silence = adverts.Zip(adverts.Skip(1), (a, b) => b - a).Max();
        var report = $"restart by SIG{signal}: ka1 silent on the wire for {silence * 1000:F0} ms (backup's Master_Down_Interval {lab.Scenario.MasterDownInterval.TotalMilliseconds:F0} ms)";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        // The backup heard from ka1 before its Master_Down_Interval ran out: that is what "no flap" means on the wire.
        Assert.True(TimeSpan.FromSeconds(silence) < lab.Scenario.MasterDownInterval, $"{report}\n{lab.Explain()}");
    }

    /// <summary>
    /// With a long interval, `vigil reconcile` applies a commit at once. Git failures (an unreachable remote, a clone
    /// damaged under the agent, a force-pushed branch) leave the last good commit running, and the status says why.
    /// </summary>
    [Fact]
    public void Reconcile_OnRequest_GitFailures_KeepTheLastGoodCommit()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var (origin, first) = FollowGit(lab, "1h");
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        var added = origin.Commit("add 198.51.100.101");
        var asked = Reconcile(lab);
        Assert.True(asked.ExitCode == 0, asked.Output);
        Assert.Contains($"ka1: running commit {GitSource.Short(added)} \"add 198.51.100.101\", last outcome applied", asked.Output, StringComparison.Ordinal);
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.101"), lab.Explain());

        // Unreachable: the running commit stays, the status and `vigil reconcile` say why.
        Directory.Move(origin.Path, origin.Path + ".away");
        var unreachable = Reconcile(lab);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains($"fetch {origin.Path}", unreachable.Output, StringComparison.Ordinal);
        Assert.StartsWith($"fetch {origin.Path}", (string?)lab.SourceStatus("ka1")!["lastError"], StringComparison.Ordinal);
        Assert.Equal(added, (string?)lab.SourceStatus("ka1")!["commit"]);
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.101"));
        Directory.Move(origin.Path + ".away", origin.Path);
        Assert.Equal(0, Reconcile(lab).ExitCode);
        Assert.Null((string?)lab.SourceStatus("ka1")!["lastError"]);

        // A clone damaged under the running agent is cloned again.
        var clone = Path.Combine(StateDirectory(lab, "ka1"), "clone.git");
        Directory.Delete(Path.Combine(clone, "objects"), recursive: true);
        File.WriteAllText(Path.Combine(clone, "HEAD"), "garbage");
        var recloned = Reconcile(lab);
        Assert.True(recloned.ExitCode == 0, recloned.Output + lab.Output("ka1"));
        Assert.Equal(added, (string?)lab.SourceStatus("ka1")!["commit"]);

        // A force push that drops the VIP commit is followed.
        origin.Git("reset", "-q", "--hard", first);
        var forced = Reconcile(lab);
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Equal(first, (string?)lab.SourceStatus("ka1")!["commit"]);
        Assert.False(lab.Lab.Holds(lab.Ka1, "198.51.100.101"));
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.100"));

        // `vigil history` lists the node's commits: the first, the VIP, and the force-pushed first again.
        using var history = new StringWriter();
        Assert.Equal(0, Vigil.Cli.VigilCommandLine.Run(["history", "--state-dir", StateDirectory(lab, "ka1"), "-o", "json"], history, history));
        Assert.Equal([first, added, first], JsonNode.Parse(history.ToString())!.AsArray().Select(e => (string?)e!["commit"]));
    }

    /// <summary>
    /// `vigil plan --node` on a node: the configuration against the running agent's commit (read back from its clone), the
    /// VIPs the master would add now (the engine's state, the kernel's addresses); the backup adds nothing until it takes over.
    /// </summary>
    [Fact]
    public void PlanOnANode_ComparesWithTheRunningCommit_TheEngineAndTheKernel()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var (origin, first) = FollowGit(lab, "1h");
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.102/24");

        var ka1 = Plan(lab, origin, "ka1");
        var ka2 = Plan(lab, origin, "ka2");

        Assert.True(ka1.ExitCode == 2, ka1.Output);
        Assert.Contains($"runs commit {GitSource.Short(first)}; engine: vi_1 Master (priority 100)", ka1.Output, StringComparison.Ordinal);
        Assert.Contains("configuration:\n  + vip 198.51.100.102/24 on vi_1\n", ka1.Output, StringComparison.Ordinal);
        Assert.Contains("kernel addresses:\n  + 198.51.100.102/24 on eth0 (vi_1 is master: added and announced now)\n", ka1.Output, StringComparison.Ordinal);
        Assert.Contains("engine: vi_1 Backup (priority 80)", ka2.Output, StringComparison.Ordinal);
        Assert.Contains("kernel addresses: no changes", ka2.Output, StringComparison.Ordinal);

        origin.Commit("add 198.51.100.102");
        Assert.Equal(0, Reconcile(lab).ExitCode);
        var after = Plan(lab, origin, "ka1");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.EndsWith("No changes.\n", after.Output, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Plan(FailoverLab lab, GitRepository origin, string node)
    {
        using var output = new StringWriter();
        var exitCode = Vigil.Cli.VigilCommandLine.Run(["plan", "--node", node, "--config", origin.PathOf("cluster"), "--status-file", lab.StatusFile(node),
            "--state-dir", StateDirectory(lab, node), "--netns", lab.Host(node).Namespace], output, output);
        return (exitCode, output.ToString());
    }

    /// <summary>
    /// The lab's configuration as the first commit of a repository the agents will follow (under cluster/), fetched every
    /// <paramref name="interval"/>; returns the repository and that commit.
    /// </summary>
    /// <summary>
    /// A repository URL with credentials (user:token and a query token) appears in no status, metric, history or log
    /// line, even when the fetch fails and its error is reported everywhere.
    /// </summary>
    [Fact]
    public void CredentialsInTheRepositoryUrl_AreInNoStatusMetricsHistoryOrLog()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        // Port 9 on the node's own loopback: refused at once, and nothing leaves the namespace.
        lab.VigilSource = node => ["--repo", "http://vigil-user:t0ken-pass@127.0.0.1:9/cluster.git?key=q-t0ken", "--interval", "1s",
            "--state-dir", StateDirectory(lab, node), "--listen", "127.0.0.1:9110"];
        var ka1 = lab.StartVigil("ka1");

        Assert.True(FailoverLab.WaitUntil(() => (string?)lab.SourceStatus("ka1")?["lastError"] is { Length: > 0 }, TimeSpan.FromSeconds(20)), lab.Explain());
        using var output = new StringWriter();
        Vigil.Cli.VigilCommandLine.Run(["status", lab.StatusFile("ka1"), "--output", "json"], output, output);
        Vigil.Cli.VigilCommandLine.Run(["status", lab.StatusFile("ka1")], output, output);
        Vigil.Cli.VigilCommandLine.Run(["history", "--state-dir", StateDirectory(lab, "ka1")], output, output);
        var everything = string.Join("\n", File.ReadAllText(lab.StatusFile("ka1")), Http(lab, "ka1", "/status"), Http(lab, "ka1", "/metrics"),
            output.ToString(), File.ReadAllText(Path.Combine(lab.Directory, "ka1.log")), lab.Output("ka1"));
        NamespaceLab.Signal(ka1, "TERM");

        Assert.Contains("127.0.0.1:9/cluster.git (credentials hidden)", everything, StringComparison.Ordinal); // the error was reported
        Assert.All(["vigil-user", "t0ken-pass", "q-t0ken"], secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
    }

    /// <summary>
    /// A full disk under the history (history.jsonl bind-mounted from a full tmpfs, as a full /var would be): the agent
    /// does not exit (which would fail the VIPs over); it runs VRRP and applies commits, and its status says what it
    /// could not write. A failed history write once ended the agent.
    /// </summary>
    [Fact]
    public void FullDiskUnderTheHistory_DegradesTheStatus_VrrpAndReconcileGoOn()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var disk = new SmallDisk("4k");
        var full = disk.Path;
        { // the lab (its agents) ends before the disk goes
            using var lab = new FailoverLab(new Scenario(Interval: "1s"));
            File.WriteAllText(Path.Combine(full, "history.jsonl"), "");
            NamespaceLab.Run("dd", "if=/dev/zero", $"of={Path.Combine(full, "filler")}", "bs=4096", "count=4"); // fails once full: that is the point
            var state = StateDirectory(lab, "ka1");
            Directory.CreateDirectory(state);
            File.WriteAllText(Path.Combine(state, "history.jsonl"), "");
            lab.Binds["ka1"] = (Path.Combine(full, "history.jsonl"), Path.Combine(state, "history.jsonl"));
            var (origin, _) = FollowGit(lab, "1s");
            var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

            Assert.True(FailoverLab.WaitUntil(() => lab.StatusDocument("ka1")?["degraded"]?.AsArray().Any(d => ((string?)d)!.StartsWith("history ", StringComparison.Ordinal)) == true,
                TimeSpan.FromSeconds(10)), lab.Explain());
            origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
            origin.Commit("add 198.51.100.101");

            Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101"), Within), lab.Explain());
            Assert.False(ka1.HasExited);
            Assert.Equal("Master", lab.State("ka1"));
            Assert.Contains("No space left on device", (string?)lab.StatusDocument("ka1")!["degraded"]![0], StringComparison.Ordinal);
            Assert.Single(lab.Output("ka1").Split('\n'), line => line.Contains("not written", StringComparison.Ordinal) && line.Contains("history", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The master's whole state directory (clone, state file, history), its status file and its log on one tmpfs that
    /// fills up, as a full /var would: VRRP goes on untouched (no transition, the backup never advertises), the agent
    /// says on /status what it could not write and why the new commit is not fetched; once there is room again the new
    /// commit is applied and every file is whole (the state and status files parse, so does each history line).
    /// </summary>
    [Fact]
    public void FullDiskUnderStateStatusAndLog_VrrpGoesOn_StatusSaysWhat_AndNothingIsCorrupted()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var disk = new SmallDisk("8m");
        var full = disk.Path;
        { // the lab (its agents) ends before the disk goes
            using var lab = new FailoverLab(new Scenario(Interval: "1s"));
            var (origin, _) = FollowGit(lab, "1s");
            var state = Path.Combine(full, "state");
            lab.VigilSource = node => node == "ka1"
                ? ["--repo", origin.Path, "--path", "cluster", "--interval", "1s", "--state-dir", state, "--listen", "127.0.0.1:9110"]
                : ["--repo", origin.Path, "--path", "cluster", "--interval", "1s", "--state-dir", StateDirectory(lab, node)];
            lab.FilesFolder["ka1"] = full;
            var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
            var filled = Takeover.Now();
            NamespaceLab.Run("dd", "if=/dev/zero", $"of={Path.Combine(full, "filler")}", "bs=65536"); // until the disk is full: that is the point
            origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
            origin.Commit("add 198.51.100.101");

            string Status() => Http(lab, "ka1", "/status");
            Assert.True(FailoverLab.WaitUntil(() => Status().Contains("status file", StringComparison.Ordinal) && Status().Contains("No space left on device", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15)), Status());
            Thread.Sleep(TimeSpan.FromSeconds(3)); // VRRP must go on with the disk full: watched for a few adverts
            Assert.False(ka1.HasExited);
            Assert.Equal("Master", (string?)System.Text.Json.Nodes.JsonNode.Parse(Status())!["instances"]![0]!["state"]);
            Assert.DoesNotContain(lab.Wire.Events, e => e.Mac == lab.Ka2.Mac && e.Kind == WireKind.Advert && e.Time > filled);
            Assert.True(lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip));

            File.Delete(Path.Combine(full, "filler"));

            Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101"), Within), Status());
            Assert.True(FailoverLab.WaitUntil(() => System.Text.Json.Nodes.JsonNode.Parse(Status())!["degraded"]!.AsArray().Count == 0, Within), Status());
            Assert.Equal("Master", Vigil.Agent.StatusDocument.Read(lab.StatusFile("ka1")).Instances[0].State);
            Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(state, "state.json"))));
            Assert.All(File.ReadAllLines(Path.Combine(state, Vigil.Source.Git.ApplyHistory.FileName)).Where(l => l.Length > 0),
                line => Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(line)));
        }
    }

    /// <summary>A tmpfs of the given size on a folder of its own: a disk that fills up. Unmounted and removed on dispose.</summary>
    private sealed class SmallDisk : IDisposable
    {
        public SmallDisk(string size)
        {
            Path = Directory.CreateTempSubdirectory("vigil-full-").FullName;
            Assert.Equal(0, NamespaceLab.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Path).ExitCode);
        }

        public string Path { get; }

        public void Dispose()
        {
            // Lazily: the agents' mount namespaces (where a bind may live) go with the lab's processes.
            NamespaceLab.Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }
    }

    private static (GitRepository Origin, string First) FollowGit(FailoverLab lab, string interval, params string[] extra)
    {
        var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
        origin.CopyIn(lab.ConfigFolder, "cluster");
        var first = origin.Commit("two nodes, one VIP");
        lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--interval", interval, "--state-dir", StateDirectory(lab, node), .. extra];
        return (origin, first);
    }

    /// <summary>GET on the agent's --listen address, from inside its namespace (curl).</summary>
    private static string Http(FailoverLab lab, string node, string path)
    {
        var (exitCode, output) = NamespaceLab.Run("ip", "netns", "exec", lab.Host(node).Namespace, "curl", "-sS", "--fail", $"http://127.0.0.1:9110{path}");
        Assert.True(exitCode == 0, output);
        return output;
    }

    private static (int ExitCode, string Output) Reconcile(FailoverLab lab)
    {
        using var output = new StringWriter();
        var exitCode = Vigil.Cli.VigilCommandLine.Run(["reconcile", "--status-file", lab.StatusFile("ka1"), "--timeout", "20"], output, output);
        return (exitCode, output.ToString());
    }

    private static string StateDirectory(FailoverLab lab, string node) => Path.Combine(lab.Directory, node + "-state");
}
