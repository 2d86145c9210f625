using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// Accept mode off (RFC 5798, keepalived's no_accept) on the wire: the master holds the VIP but its nftables tables
/// (witnessed by nft list ruleset) drop what is sent to it, so the client's ping goes unanswered; the backup, not
/// master, drops nothing; switched to accept mode by a new revision the VIP answers and the tables go; and an agent
/// stopping removes them, as keepalived removes its own.
/// </summary>
public sealed class AcceptModeTests
{
    [Fact]
    public void NoAccept_TheMastersVipDropsTraffic_AcceptAnswers_StopRemovesTheTables()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        var accepting = File.ReadAllText(instance).TrimEnd();
        File.WriteAllText(instance, accepting + "\n  accept: false\n");
        var (ka1, ka2) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        string Ruleset(LabHost host) => NamespaceLab.Run("ip", "netns", "exec", host.Namespace, "nft", "list", "ruleset").Output;
        bool Answers() => NamespaceLab.Run("ip", "netns", "exec", lab.Client.Namespace, "ping", "-c1", "-W1", lab.Scenario.Vip).ExitCode == 0;

        Assert.True(FailoverLab.WaitUntil(() => Ruleset(lab.Ka1).Contains($"elements = {{ {lab.Scenario.Vip} }}", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            Ruleset(lab.Ka1) + lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip));
        Assert.Contains("ip daddr @vips drop", Ruleset(lab.Ka1), StringComparison.Ordinal);
        Assert.Contains("ip saddr @vips drop", Ruleset(lab.Ka1), StringComparison.Ordinal);
        Assert.False(Answers());
        // The backup has the tables, its set empty: it holds no VIP to guard.
        Assert.Contains("table ip vigil", Ruleset(lab.Ka2), StringComparison.Ordinal);
        Assert.DoesNotContain("elements", Ruleset(lab.Ka2), StringComparison.Ordinal);

        File.WriteAllText(instance, accepting + "\n  accept: true\n");
        NamespaceLab.Signal(ka1, "HUP");
        NamespaceLab.Signal(ka2, "HUP");

        Assert.True(FailoverLab.WaitUntil(() => !Ruleset(lab.Ka1).Contains("table ip vigil", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Ruleset(lab.Ka1) + lab.Explain());
        Assert.True(Answers(), lab.Explain());

        File.WriteAllText(instance, accepting + "\n  accept: false\n");
        NamespaceLab.Signal(ka1, "HUP");
        Assert.True(FailoverLab.WaitUntil(() => Ruleset(lab.Ka1).Contains("elements", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Ruleset(lab.Ka1) + lab.Explain());
        NamespaceLab.Signal(ka1, "TERM");
        Assert.True(ka1.WaitForExit(10_000));
        Assert.DoesNotContain("vigil", Ruleset(lab.Ka1), StringComparison.Ordinal);
    }
}
