using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>Faults injected for real under running agents: the agent survives, and its status tells the truth.</summary>
public sealed class FaultTests
{
    /// <summary>
    /// 30,000 address changes in one burst (documentation addresses added and deleted again) on an interface no
    /// instance uses, with the watcher's buffer made small (--netlink-buffer) so that the kernel must drop notifications
    /// (ENOBUFS once killed the agent from its watcher thread). The agent is frozen (SIGSTOP) while the burst lands, a
    /// fraction of a second: on an idle machine its watcher could otherwise keep pace and nothing would overflow (seen
    /// once in CI). 1 s adverts, so that the freeze is no takeover. The master logs the loss, reads the kernel again,
    /// keeps running, keeps its VIP and keeps writing its status; the backup stays backup.
    /// </summary>
    [Fact]
    public void AddressBurst_OnAnUnmanagedInterface_OverflowsTheWatcher_TheMasterSurvives_KeepsItsVip_AndItsStatusStaysFresh()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(Interval: "1s"));
        lab.VigilSource = _ => ["--config", lab.ConfigFolder, "--netlink-buffer", "4096"]; // the least it takes: a few notifications
        var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var ns = lab.Ka1.Namespace;
        Run("ip", "-n", ns, "link", "add", "burst0", "type", "veth", "peer", "name", "burst1");
        Run("ip", "-n", ns, "link", "set", "burst0", "up");
        var batch = Path.Combine(lab.Directory, "burst.batch");
        var addresses = Enumerable.Range(1, 250).Select(i => $"203.0.113.{i}/32").ToList();
        File.WriteAllLines(batch, Enumerable.Range(0, 60).SelectMany(_ =>
            addresses.Select(a => $"address add {a} dev burst0").Concat(addresses.Select(a => $"address del {a} dev burst0"))));

        NamespaceLab.Signal(ka1, "STOP");
        Run("ip", "-n", ns, "-batch", batch);
        NamespaceLab.Signal(ka1, "CONT");
        var after = DateTime.UtcNow;

        Assert.True(FailoverLab.WaitUntil(() => File.GetLastWriteTimeUtc(lab.StatusFile("ka1")) > after.AddSeconds(1), TimeSpan.FromSeconds(15)),
            $"the status file was not rewritten after the burst\n{lab.Explain()}");
        Assert.False(ka1.HasExited, $"the agent died in the burst\n{lab.Output("ka1")}");
        // The warning reaches the lab through the agent's console sink and its pipe: it may trail the status file.
        Assert.True(FailoverLab.WaitUntil(() => lab.Output("ka1").Contains("kernel notifications lost", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Equal("Master", lab.State("ka1"));
        Assert.True(lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip));
        Assert.Equal("Backup", lab.State("ka2"));
        Assert.DoesNotContain("Unhandled exception", lab.Output("ka1"), StringComparison.Ordinal);
    }

    /// <summary>
    /// An instance whose interface is missing does not start: the revision is partly applied (not applied, not the
    /// last good), the status says which instance and why; when the interface appears the instance starts by itself and
    /// the revision is then applied.
    /// </summary>
    [Fact]
    public void MissingInterface_IsPartlyApplied_AndTheInstanceStartsWhenItAppears()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        AddInstanceOnEth9(lab);
        var ka1 = lab.StartVigil("ka1");

        Assert.True(FailoverLab.WaitUntil(() => (string?)Source(lab)?["lastOutcome"] == "partlyApplied", TimeSpan.FromSeconds(20)), $"{Source(lab)}\n{lab.Explain()}");
        var notApplied = Source(lab)!["notApplied"]!.AsArray().Select(n => (string?)n).ToList();
        Assert.Contains(notApplied, n => n!.StartsWith("instance vi_2: not running:", StringComparison.Ordinal) && n.Contains("eth9", StringComparison.Ordinal));
        Assert.DoesNotContain(Instances(lab), name => name == "vi_2");
        Assert.Contains("vi_1", Instances(lab));
        Assert.Equal(["Ready False", "Progressing False", "Stalled True"], Conditions(lab, "vi_2"));
        Assert.Equal("Ready True", Conditions(lab, "vi_1")[0]);
        Assert.Contains("eth9", (string?)lab.StatusDocument("ka1")!["conditions"]!["vi_2"]![2]!["reason"], StringComparison.Ordinal);
        Assert.Equal("retryAfter", (string?)Source(lab)!["lastPass"]!["result"]);
        var metrics = PrometheusText.Of(StatusDocument.Read(lab.StatusFile("ka1")));
        Assert.Contains("vigil_instance_condition{node=\"ka1\",instance=\"vi_2\",condition=\"stalled\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("vigil_instance_condition{node=\"ka1\",instance=\"vi_1\",condition=\"ready\"} 1\n", metrics, StringComparison.Ordinal);

        Run("ip", "-n", lab.Ka1.Namespace, "link", "add", "eth9", "type", "veth", "peer", "name", "eth9p");
        Run("ip", "-n", lab.Ka1.Namespace, "addr", "add", "203.0.113.11/24", "dev", "eth9");
        Run("ip", "-n", lab.Ka1.Namespace, "link", "set", "eth9", "up");
        Run("ip", "-n", lab.Ka1.Namespace, "link", "set", "eth9p", "up");

        Assert.True(FailoverLab.WaitUntil(() => Instances(lab).Contains("vi_2") && (string?)Source(lab)?["lastOutcome"] == "applied", TimeSpan.FromSeconds(15)), lab.Explain());
        Assert.Empty(Source(lab)!["notApplied"]!.AsArray());
        Assert.True(FailoverLab.WaitUntil(() => Conditions(lab, "vi_2").SequenceEqual(["Ready True", "Progressing False", "Stalled False"]), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.Equal("done", (string?)Source(lab)!["lastPass"]!["result"]);
        Assert.False(ka1.HasExited);
    }

    private static List<string> Conditions(FailoverLab lab, string instance) =>
        lab.StatusDocument("ka1")?["conditions"]?[instance]?.AsArray().Select(c => $"{c!["type"]} {((bool)c["status"]! ? "True" : "False")}").ToList() ?? [];

    /// <summary>
    /// An instance's interface deleted and made again (a new index) under the master or the backup: while it is gone
    /// the instance is in Fault (not a master that sends nothing), the other node serves the VIP, and on the new
    /// interface the instance runs again; the failed sends are logged a few times, not ten times a second.
    /// </summary>
    [Theory]
    [InlineData("ka1")]
    [InlineData("ka2")]
    public void InterfaceDeletedAndMadeAgain_FaultWhileGone_RunsAgainOnTheNewOne(string node)
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var (ka1, ka2) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var host = lab.Host(node);
        var other = node == "ka1" ? "ka2" : "ka1";

        lab.Lab.Unwire(host);

        Assert.True(FailoverLab.WaitUntil(() => lab.State(node) == "Fault", TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => lab.State(other) == "Master" && lab.Lab.Holds(lab.Host(other), lab.Scenario.Vip), TimeSpan.FromSeconds(5)), lab.Explain());
        Thread.Sleep(TimeSpan.FromSeconds(1)); // a second of the interface being gone: what it logs meanwhile is counted below

        lab.Lab.Wire(host);

        // ka1 has the higher priority and preempts: whichever node lost its interface, ka1 ends master, ka2 backup.
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.State("ka2") == "Backup"
            && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Contains("came back with index", lab.Output(node), StringComparison.Ordinal);
        Assert.InRange(lab.Output(node).Split('\n').Count(line => line.Contains("not sent", StringComparison.Ordinal)), 0, 4);
        Assert.False(ka1.HasExited || ka2.HasExited);
    }

    /// <summary>
    /// Many wakes in a row (link events while an instance waits for its interface, or `vigil reconcile` twice): one pass
    /// takes several, and a wake left over is not a stop. It used to be: the agent stopped, releasing its VIPs.
    /// </summary>
    [Fact]
    public void ManyWakesInARow_AreTakenTogether_AndTheAgentGoesOn()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        AddInstanceOnEth9(lab);
        var ka1 = lab.StartVigil("ka1");
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master", TimeSpan.FromSeconds(15)), lab.Explain());
        var batch = Path.Combine(lab.Directory, "links.batch");
        File.WriteAllLines(batch, Enumerable.Range(0, 40).Select(i => $"link add vb{i} type veth peer name vp{i}"));

        Run("ip", "-n", lab.Ka1.Namespace, "-batch", batch); // each link event asks for a retry of vi_2
        NamespaceLab.Signal(ka1, "USR1");
        NamespaceLab.Signal(ka1, "USR1");

        Assert.False(ka1.WaitForExit(TimeSpan.FromSeconds(3)), $"the agent stopped\n{lab.Output("ka1")}"); // a stop follows within milliseconds
        Assert.DoesNotContain("stopping", lab.Output("ka1"), StringComparison.Ordinal);
        Assert.Equal("Master", lab.State("ka1"));
    }

    /// <summary>
    /// VIP edits during forced transitions (defect 7): ka1's track file moves its priority below and above ka2's every
    /// round, so the VIP moves to ka2 and back, while both agents reload an edited VIP list (a second VIP swapped
    /// between 101 and 102) as fast as they take it. After each round: both agents run, each status tells the state its
    /// node is in, and exactly one node, the master, holds each of the latest VIPs and no other.
    /// </summary>
    [Fact]
    public void VipEdits_DuringForcedTransitions_EndWithEachVipOnTheMasterAlone()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var target = lab.PerNodeFolder("track");
        File.WriteAllText(Path.Combine(lab.Directory, "ka1", "maintenance"), "0\n");
        File.WriteAllText(Path.Combine(lab.Directory, "ka2", "maintenance"), "0\n");
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        var original = File.ReadAllText(instance).TrimEnd();
        string[] extras = ["198.51.100.101", "198.51.100.102"];
        void WriteVips(string extra) => File.WriteAllText(instance, $"{original}\n    - address: {extra}/24\n  trackFiles:\n    - file: {target}/maintenance\n      weight: -30\n");
        WriteVips(extras[0]);
        var (ka1, ka2) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        for (var round = 1; round <= 4; round++)
        {
            var (master, backup) = round % 2 == 1 ? (lab.Ka2, lab.Ka1) : (lab.Ka1, lab.Ka2);
            File.WriteAllText(Path.Combine(lab.Directory, "ka1", "maintenance"), round % 2 == 1 ? "1\n" : "0\n");
            var edits = 0;
            var latest = extras[0];
            Assert.True(FailoverLab.WaitUntil(() =>
            {
                // Edit and reload while the VIP moves; once the master is the expected one, edit twice more.
                latest = extras[++edits % 2];
                WriteVips(latest);
                var attempted = Attempted(lab, "ka1");
                NamespaceLab.Signal(ka1, "HUP");
                NamespaceLab.Signal(ka2, "HUP");
                Assert.True(FailoverLab.WaitUntil(() => Attempted(lab, "ka1") != attempted, TimeSpan.FromSeconds(5)), lab.Explain());
                return lab.State(master.Name) == "Master" && edits >= 3;
            }, TimeSpan.FromSeconds(20)), lab.Explain());

            string[] vips = [lab.Scenario.Vip, latest];
            var other = extras.Single(e => e != latest);
            Assert.True(FailoverLab.WaitUntil(() => lab.State(master.Name) == "Master" && lab.State(backup.Name) == "Backup"
                && vips.All(v => lab.Lab.Holds(master, v) && !lab.Lab.Holds(backup, v)) && !lab.Lab.Holds(master, other) && !lab.Lab.Holds(backup, other),
                TimeSpan.FromSeconds(10)), $"round {round}: {master.Name} should be master on {string.Join(", ", vips)}\n{lab.Explain()}");
            Assert.False(ka1.HasExited || ka2.HasExited);
        }
    }

    /// <summary>
    /// A frozen log reader (the console's pipe full: journald stalled, a `| less` left open) must not freeze the agent:
    /// ka1 logs into a FIFO whose reader is stopped, reloads until the pipe is full, then gets SIGTERM. It still hands
    /// the VIP over (priority-0 advert, VIP removed) and exits. With the console written synchronously the worker
    /// blocked in its log line, the stop never ran, and ka1 kept the VIP.
    /// </summary>
    [Fact]
    public void AFrozenLogReader_DoesNotFreezeTheAgent_AStopStillHandsTheVipOver()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var fifo = Path.Combine(lab.Directory, "console");
        Run("mkfifo", fifo);
        using var reader = System.Diagnostics.Process.Start("/bin/sh", ["-c", $"exec cat {fifo} > /dev/null"]);
        try
        {
            var (file, prefix) = VigilExecutable.BesideAssembly();
            var ka1 = lab.Lab.Start(lab.Ka1, "/bin/sh", ["-c", $"exec \"$0\" \"$@\" > {fifo} 2>&1", file, .. prefix, "agent", "--config", lab.ConfigFolder,
                "--node", "ka1", "--log-file", Path.Combine(lab.Directory, "ka1.log"), "--status-file", lab.StatusFile("ka1")]);
            Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip), TimeSpan.FromSeconds(15)), lab.Explain());
            lab.StartVigil("ka2");
            Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Backup", TimeSpan.FromSeconds(15)), lab.Explain());

            Run("kill", "-STOP", reader.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Each reload logs two lines: 1,000 fill a 64 KiB pipe. Blocked, a reload is never taken: stop asking.
            var reloads = 0;
            for (; reloads < 1000; reloads++)
            {
                var attempted = Attempted(lab, "ka1");
                NamespaceLab.Signal(ka1, "HUP");
                if (!FailoverLab.WaitUntil(() => Attempted(lab, "ka1") != attempted, TimeSpan.FromSeconds(2)))
                {
                    break;
                }
            }
            Assert.Equal(1000, reloads); // none waited for the log: the pipe filled after about 600
            NamespaceLab.Signal(ka1, "TERM");

            Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && !lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip), TimeSpan.FromSeconds(5)),
                $"ka1 still holds the VIP after SIGTERM\n{lab.Explain()}");
            Assert.True(ka1.WaitForExit(TimeSpan.FromSeconds(10)), "ka1 did not exit");
        }
        finally
        {
            Run("kill", "-KILL", reader.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string? Attempted(FailoverLab lab, string node) => (string?)lab.StatusDocument(node)?["source"]?["attemptedAt"];

    /// <summary>A second instance for ka1 alone, on an interface the node does not have (yet): eth9.</summary>
    private static void AddInstanceOnEth9(FailoverLab lab) => File.WriteAllText(Path.Combine(lab.ConfigFolder, "vi_2.yaml"), """
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: vi_2
        spec:
          virtualRouterId: 52
          interface: eth9
          members:
            - node: ka1
              priority: 100
          virtualAddresses:
            - address: 203.0.113.100/24
        """);

    private static System.Text.Json.Nodes.JsonObject? Source(FailoverLab lab) => lab.StatusDocument("ka1")?["source"] as System.Text.Json.Nodes.JsonObject;

    private static List<string> Instances(FailoverLab lab) =>
        lab.StatusDocument("ka1")?["instances"]?.AsArray().Select(i => (string)i!["name"]!).ToList() ?? [];

    private static void Run(string file, params string[] arguments)
    {
        var (exitCode, output) = NamespaceLab.Run(file, arguments);
        Assert.True(exitCode == 0, $"{file} {string.Join(' ', arguments)}: {output}");
    }
}
