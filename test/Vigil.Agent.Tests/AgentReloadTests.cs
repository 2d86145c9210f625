using Vigil.Lab;
using Vigil.Demo;

namespace Vigil.Agent.Tests;

/// <summary>SIGHUP on a running master: a new VIP is added without a transition; an invalid folder is refused.</summary>
public sealed class AgentReloadTests
{
    [Fact]
    public void Sighup_AddedVip_IsAddedWithoutLeavingMaster_InvalidConfig_KeepsTheRunningOne()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var (ka1, _) = Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var since = (string?)lab.Status("ka1")!["since"];
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + "\n    - address: 198.51.100.101/24\n");

        NamespaceLab.Signal(ka1, "HUP");

        Assert.True(FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101"), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.100"));
        Assert.Equal("Master", lab.State("ka1"));
        Assert.Equal(since, (string?)lab.Status("ka1")!["since"]); // no transition
        Assert.Contains("vi_1: Adjust", lab.Output("ka1"), StringComparison.Ordinal);

        File.WriteAllText(instance, File.ReadAllText(instance).Replace("virtualRouterId: 51", "virtualRouterId: 300", StringComparison.Ordinal));
        NamespaceLab.Signal(ka1, "HUP");

        Assert.True(FailoverLab.WaitUntil(() => lab.Output("ka1").Contains("refused the folder: nothing applied, still running the configuration loaded before", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Contains("vi_1.yaml:", lab.Output("ka1"), StringComparison.Ordinal); // the file, line and field are named
        Assert.Contains("virtualRouterId", lab.Output("ka1"), StringComparison.Ordinal);
        Assert.Equal("Master", lab.State("ka1"));
        Assert.True(lab.Lab.Holds(lab.Ka1, "198.51.100.101"));
    }
}
