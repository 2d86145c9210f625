using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// keepalived's haproxy-track pattern in the lab: each node tracks a vrrp_script (weight -30, fall 2, rise 2) whose
/// answer is a file per node. The master's script fails: after two failures its priority drops below the backup's
/// and the backup takes over; it passes again: after two successes the priority is back and, with preemption, so is the VIP.
/// </summary>
public sealed class VrrpScriptTests
{
    [Fact]
    public void TrackedScriptFails_PriorityDrops_BackupTakesOver_AndTheVipReturns()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var alive = Path.Combine(lab.Directory, "alive");
        Directory.CreateDirectory(alive);
        foreach (var host in new[] { lab.Ka1, lab.Ka2 })
        {
            File.WriteAllText(Path.Combine(alive, host.Namespace), "");
        }
        // `ip netns identify` names the namespace the script runs in: each node checks its own file.
        File.WriteAllText(Path.Combine(lab.ConfigFolder, "chk.yaml"), $"""
            apiVersion: vigil/v1
            kind: VrrpScript
            metadata:
              name: chk_service
            spec:
              script: sh -c 'test -e {alive}/$(ip netns identify)'
              interval: 200ms
              weight: -30
              fall: 2
              rise: 2
            """);
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + "\n  trackScripts:\n    - name: chk_service\n");
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.Equal(100, (int?)lab.Status("ka1")!["priority"]);

        File.Delete(Path.Combine(alive, lab.Ka1.Namespace));

        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip), TimeSpan.FromSeconds(10)), lab.Explain());
        // ka2 is master from its own timer; ka1 steps down when ka2's first advert (80 > 70) reaches it, and its status
        // file says so a moment later: wait for both rather than read ka1's file at the instant ka2's says Master.
        Assert.True(FailoverLab.WaitUntil(() => (int?)lab.Status("ka1")?["priority"] == 70 && lab.State("ka1") == "Backup", TimeSpan.FromSeconds(3)), lab.Explain());
        Assert.Contains("vrrp_script chk_service: failed: exit 1, 2 failure(s) in a row", lab.Output("ka1"), StringComparison.Ordinal);
        Assert.Contains(lab.Wire.Events, e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority == 70); // the advert carried it

        File.WriteAllText(Path.Combine(alive, lab.Ka1.Namespace), "");

        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip),
            TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => (int?)lab.Status("ka1")?["priority"] == 100, TimeSpan.FromSeconds(3)), lab.Explain());
        Assert.Contains("vrrp_script chk_service: OK again: exit 0, 2 success(es) in a row", lab.Output("ka1"), StringComparison.Ordinal);
    }
}
