using System.Text.Json.Nodes;
using Vigil.Cli;
using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// The agent's drift check in the namespace lab: addresses changed by hand with `ip`, and a foreign VRRP speaker on the
/// managed VRID whose adverts the nodes refuse (a wrong password) so that it stays master beside ka1: split brain.
/// </summary>
public sealed class DriftTests
{
    [Fact]
    public void AddressesChangedByHand_AreReported_AndUndoneInCorrectMode()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        lab.VigilSource = node => ["--config", lab.ConfigFolder, "--drift-interval", "300ms", "--drift-mode", node == "ka1" ? "correct" : "report"];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        // ka1 corrects: an address added by hand is removed, the master's VIP removed by hand is put back.
        NamespaceLab.Run("ip", "-n", lab.Ka1.Namespace, "addr", "add", "203.0.113.77/24", "dev", "eth0");
        Assert.True(FailoverLab.WaitUntil(() => Corrected(lab, "ka1").Contains("removed 203.0.113.77/24 on eth0"), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.False(lab.Lab.Holds(lab.Ka1, "203.0.113.77"));
        NamespaceLab.Run("ip", "-n", lab.Ka1.Namespace, "addr", "del", "198.51.100.100/24", "dev", "eth0");
        Assert.True(FailoverLab.WaitUntil(() => Corrected(lab, "ka1").Contains("added 198.51.100.100/24 on eth0"), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.100"));
        Assert.Contains("drift AddressAdded: 203.0.113.77/24 on eth0", lab.Output("ka1"), StringComparison.Ordinal); // logged once, structured

        // ka2 reports: the address stays, `vigil drift` shows it and exits 2, in text, JSON and Prometheus text.
        NamespaceLab.Run("ip", "-n", lab.Ka2.Namespace, "addr", "add", "203.0.113.78/24", "dev", "eth0");
        Assert.True(FailoverLab.WaitUntil(() => Kinds(lab, "ka2").Contains("addressAdded"), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka2, "203.0.113.78"));
        var text = Drift(lab, "ka2", "text");
        Assert.Equal(2, text.ExitCode);
        Assert.Contains("addressAdded         203.0.113.78/24 on eth0: added by someone else while the agent ran", text.Output, StringComparison.Ordinal);
        var prometheus = Drift(lab, "ka2", "prometheus");
        Assert.Contains("vigil_drift_items{node=\"ka2\",kind=\"addressAdded\"} 1\n", prometheus.Output, StringComparison.Ordinal);
        Assert.Contains("# TYPE vigil_drift_found_total counter", prometheus.Output, StringComparison.Ordinal);
        NamespaceLab.Run("ip", "-n", lab.Ka2.Namespace, "addr", "del", "203.0.113.78/24", "dev", "eth0");
        Assert.True(FailoverLab.WaitUntil(() => Drift(lab, "ka2", "json").ExitCode == 0, TimeSpan.FromSeconds(5)), lab.Explain());
    }

    [Fact]
    public void ForeignSpeakerOnTheVrid_IsReported_AsForeignAndSplitBrain()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(Version: 2, Interval: "1s", Password: "s3cr3t"));
        lab.VigilSource = _ => ["--config", lab.ConfigFolder, "--drift-interval", "4s"];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        // A router outside the cluster on VRID 51 with the wrong password: it hears no master, so it becomes one.
        var intruder = Path.Combine(lab.Directory, "intruder");
        Directory.CreateDirectory(intruder);
        File.WriteAllText(Path.Combine(intruder, "cluster.yaml"), """
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: elsewhere
            spec:
              defaults:
                interface: eth0
                vrrpVersion: 2
                advertInterval: 1s
              nodes:
                - name: intruder
                  interfaces:
                    - name: eth0
                      addresses: [198.51.100.50/24]
            """);
        File.WriteAllText(Path.Combine(intruder, "vi.yaml"), """
            apiVersion: vigil/v1
            kind: VrrpInstance
            metadata:
              name: vi_other
            spec:
              virtualRouterId: 51
              authentication:
                password: wrong
              members:
                - node: intruder
                  priority: 50
              virtualAddresses:
                - address: 198.51.100.99/24
            """);
        var (file, prefix) = VigilExecutable.BesideAssembly();
        lab.Lab.Start(lab.Client, file, [.. prefix, "agent", "--config", intruder, "--node", "intruder",
            "--log-file", Path.Combine(lab.Directory, "intruder.log"), "--status-file", Path.Combine(lab.Directory, "intruder.json")]);

        Assert.True(FailoverLab.WaitUntil(() => Kinds(lab, "ka1").Contains("splitBrain") && Kinds(lab, "ka1").Contains("foreignRouter"), TimeSpan.FromSeconds(20)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => Kinds(lab, "ka2").Contains("foreignRouter"), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.DoesNotContain("splitBrain", Kinds(lab, "ka2")); // ka2 is backup: one master is not two
        var text = Drift(lab, "ka1", "text").Output;
        Assert.Contains("vi_1 (VRID 51): 198.51.100.50 advertises (priority 50) but is none of the Cluster's nodes", text, StringComparison.Ordinal);
        Assert.Matches(@"vi_1 \(VRID 51\): split brain: 198\.51\.100\.50 advertises as master while this node is master \(\d+ adverts since the last check\)", text);
        Assert.Equal("Master", lab.State("ka1")); // reported, not acted on: the intruder's adverts are refused
    }

    /// <summary>
    /// IPv6 adverts come from link-local addresses (with the interface's scope on receipt): ka2 takes ka1 for a member
    /// while the Cluster lists ka1's fe80:: address, and for a foreign router once it does not (before, any link-local
    /// sender passed as a member).
    /// </summary>
    [Fact]
    public void Ipv6Adverts_FromAListedLinkLocal_AreAMembers_FromAnUnlistedOne_AForeignRouters()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(Ipv6: true));
        var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
        var unlisted = File.ReadAllText(cluster);
        string LinkLocal(LabHost host) => NamespaceLab.Run("ip", "-n", host.Namespace, "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link").Output.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        var listed = unlisted.Replace("[2001:db8::11/64]", $"[2001:db8::11/64, {LinkLocal(lab.Ka1)}]", StringComparison.Ordinal)
            .Replace("[2001:db8::12/64]", $"[2001:db8::12/64, {LinkLocal(lab.Ka2)}]", StringComparison.Ordinal);
        Assert.NotEqual(unlisted, listed);
        File.WriteAllText(cluster, listed);
        lab.VigilSource = _ => ["--config", lab.ConfigFolder, "--drift-interval", "300ms"];
        var (_, ka2) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        // Three checks that each heard ka1's adverts, none calling it foreign.
        var checks = new HashSet<string>();
        Assert.True(FailoverLab.WaitUntil(() =>
        {
            Assert.DoesNotContain("foreignRouter", Kinds(lab, "ka2"));
            return Report(lab, "ka2")?["checkedAt"] is { } at && checks.Add(at.ToString()) && checks.Count >= 3;
        }, TimeSpan.FromSeconds(10)), lab.Explain());

        File.WriteAllText(cluster, unlisted);
        NamespaceLab.Signal(ka2, "HUP");

        Assert.True(FailoverLab.WaitUntil(() => Kinds(lab, "ka2").Contains("foreignRouter"), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Contains("list each node's on its interface", Drift(lab, "ka2", "text").Output, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Drift(FailoverLab lab, string node, string format)
    {
        using var output = new StringWriter();
        var exitCode = VigilCommandLine.Run(["drift", "--status-file", lab.StatusFile(node), "-o", format], output, output);
        return (exitCode, output.ToString());
    }

    private static JsonObject? Report(FailoverLab lab, string node)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(lab.StatusFile(node)))?["drift"] as JsonObject;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static List<string?> Kinds(FailoverLab lab, string node) =>
        Report(lab, node)?["items"]?.AsArray().Select(i => (string?)i!["kind"]).ToList() ?? [];

    private static List<string?> Corrected(FailoverLab lab, string node) =>
        Report(lab, node)?["corrected"]?.AsArray().Select(c => (string?)c).ToList() ?? [];
}
