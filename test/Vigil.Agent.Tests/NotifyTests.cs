using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// keepalived's notify hooks run by the agents in the lab, with keepalived's arguments: notify gets TYPE NAME STATE
/// PRIORITY, notify_master gets nothing; a hung hook (notify_backup sleeps) does not hold up the takeover.
/// </summary>
public sealed class NotifyTests
{
    [Fact]
    public void Transitions_RunTheHooks_WithKeepalivedsArguments()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var notify = Path.Combine(lab.Directory, "notify.sh");
        File.WriteAllText(notify, $"#!/bin/sh\necho \"$@\" >> {lab.Directory}/notify-$(ip netns identify).log\n");
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + "\n  notify:\n" +
            $"    any: sh {notify}\n" +
            $"    onMaster: sh -c 'echo became master >> {lab.Directory}/master-$(ip netns identify).log'\n" +
            "    onBackup: sleep 30\n");
        var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        string Log(string kind, LabHost host) => File.Exists(Path.Combine(lab.Directory, $"{kind}-{host.Namespace}.log"))
            ? File.ReadAllText(Path.Combine(lab.Directory, $"{kind}-{host.Namespace}.log")) : "";

        Assert.True(FailoverLab.WaitUntil(() => Log("notify", lab.Ka1).Contains("INSTANCE vi_1 MASTER 100\n", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.StartsWith("INSTANCE vi_1 BACKUP 100\n", Log("notify", lab.Ka1), StringComparison.Ordinal);
        Assert.Equal("became master\n", Log("master", lab.Ka1));
        Assert.True(FailoverLab.WaitUntil(() => Log("notify", lab.Ka2) == "INSTANCE vi_1 BACKUP 80\n", TimeSpan.FromSeconds(5)), lab.Explain());

        // ka2's notify_backup still sleeps: the takeover is not held up by it.
        var figures = Takeover.Measure(lab, () => NamespaceLab.Signal(ka1, "TERM"), graceful: true);

        Assert.True(figures.Gap <= lab.Scenario.SkewTime + TimeSpan.FromMilliseconds(50), $"takeover {figures.Gap.TotalMilliseconds:F1} ms\n{lab.Explain()}");
        Assert.True(FailoverLab.WaitUntil(() => Log("notify", lab.Ka2).EndsWith("INSTANCE vi_1 MASTER 80\n", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => Log("notify", lab.Ka1).EndsWith("INSTANCE vi_1 STOP 100\n", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), Log("notify", lab.Ka1));
    }

    /// <summary>The instance asks for email: the agents send each transition to the Cluster's SMTP server (aiosmtpd in the client namespace).</summary>
    [Fact]
    public void Transitions_AreEmailed_ThroughTheClustersSmtpServer()
    {
        Skips.IfMissing((FailoverLab.SkipReason ?? Vigil.Tests.ProcessServer.SkipReason(Vigil.Tests.ProcessServer.Python, "python3-aiosmtpd")));
        using var lab = new FailoverLab(new Scenario());
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        lab.Lab.Start(lab.Client, Vigil.Tests.ProcessServer.Python, ["-m", "aiosmtpd", "-n", "-l", "198.51.100.50:2525"], received.Enqueue);
        var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
        File.WriteAllText(cluster, File.ReadAllText(cluster).TrimEnd() +
            "\n  notification:\n    email:\n      smtpServer: 198.51.100.50:2525\n      from: vigil@example.org\n      to: [ops@example.org]\n");
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + "\n  notify:\n    email: true\n");

        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        string Mail() => string.Join('\n', received);
        Assert.True(FailoverLab.WaitUntil(() => Mail().Contains("Subject: [vigil] ka1: vi_1 is now MASTER", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Mail() + lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => Mail().Contains("Subject: [vigil] ka2: vi_1 is now BACKUP", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Mail());
        Assert.Contains("ka1: vi_1 went from BACKUP to MASTER at ", Mail(), StringComparison.Ordinal);
        Assert.Contains("Commit: (a folder, not git)", Mail(), StringComparison.Ordinal);
    }

    /// <summary>
    /// keepalived's vrrp_notify_fifo read by a real reader (cat): both agents write their instance's states in keepalived's
    /// lines as they elect, and as the master stops and the backup takes over. (The lab's nodes share one file system, so
    /// they share the FIFO, which the test makes; each node's lines carry its own priority.)
    /// </summary>
    [Fact]
    public async Task Transitions_AreWrittenToTheNotifyFifo_InKeepalivedsLines()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var fifo = Path.Combine(lab.Directory, "vrrp.fifo");
        using (var make = System.Diagnostics.Process.Start("mkfifo", [fifo])) make.WaitForExit();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var reader = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", [fifo]) { RedirectStandardOutput = true })!;
        reader.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        reader.BeginOutputReadLine();
        try
        {
            var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
            File.WriteAllText(cluster, File.ReadAllText(cluster).TrimEnd() + $"\n  notification:\n    vrrpFifo:\n      path: {fifo}\n");
            var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
            string[] Of(int priority) => [.. lines.Where(l => l.EndsWith($" {priority}", StringComparison.Ordinal))];

            Assert.True(await Vigil.Tests.Poll.Until(() => Of(100).Contains("INSTANCE \"vi_1\" MASTER 100") && Of(80).Length > 0, TimeSpan.FromSeconds(10)), string.Join('\n', lines) + lab.Explain());
            NamespaceLab.Signal(ka1, "TERM");
            Assert.True(await Vigil.Tests.Poll.Until(() => Of(80).Contains("INSTANCE \"vi_1\" MASTER 80") && Of(100).Contains("INSTANCE \"vi_1\" STOP 100"), TimeSpan.FromSeconds(10)), string.Join('\n', lines) + lab.Explain());

            Assert.Equal(["INSTANCE \"vi_1\" BACKUP 100", "INSTANCE \"vi_1\" MASTER 100", "INSTANCE \"vi_1\" STOP 100"], Of(100));
            Assert.Equal(["INSTANCE \"vi_1\" BACKUP 80", "INSTANCE \"vi_1\" MASTER 80"], Of(80));
        }
        finally
        {
            reader.Kill();
        }
    }
}
