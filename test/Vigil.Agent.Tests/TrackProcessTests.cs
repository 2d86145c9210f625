using System.Diagnostics;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// keepalived's vrrp_track_process in the lab: ka1's agent tracks its load balancer (a copy of sleep under a name of
/// its own), weight 0. When it dies, ka1 goes to Fault at once and ka2 takes the VIP; when it runs again, ka1 takes
/// it back. The agents run in network namespaces, where the kernel's process events do not reach (the connector is
/// the initial namespace's), so this also shows the agent subscribing there. The lab's nodes share one process
/// table, so ka1 reads a cluster folder of its own that tracks the process (each machine has its own haproxy).
/// </summary>
public sealed class TrackProcessTests
{
    [Fact]
    public void TrackedProcessDies_MasterGoesToFault_BackupTakesOver_AndItComesBackWithTheProcess()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var balancer = Path.Combine(lab.Directory, $"vtp-lb-{Random.Shared.Next(0x10000):x4}");
        File.Copy("/bin/sleep", balancer);
        var name = Path.GetFileName(balancer);
        var ka1Config = lab.WriteConfig("ka1-config", lab.Scenario);
        var instance = Path.Combine(ka1Config, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + $"\n  trackProcesses:\n    - process: {name}\n");
        lab.VigilSource = node => ["--config", node == "ka1" ? ka1Config : lab.ConfigFolder];

        using var running = Process.Start(balancer, "600");
        try
        {
            Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
            Assert.True(FailoverLab.WaitUntil(() => lab.Output("ka1").Contains("tracked processes: counted from the kernel's process events (from /proc/", StringComparison.Ordinal),
                TimeSpan.FromSeconds(3)), lab.Explain());

            var killedAt = Takeover.Now();
            running.Kill();
            running.WaitForExit();

            Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Fault", TimeSpan.FromSeconds(2)), lab.Explain());
            Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip),
                TimeSpan.FromSeconds(5)), lab.Explain());
            // Fault is said on the wire (priority 0), so ka2 did not wait out the master-down interval.
            var resigned = lab.Wire.Events.FirstOrDefault(e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority == 0 && e.Time > killedAt);
            var announced = lab.Wire.Events.FirstOrDefault(e => e.Mac == lab.Ka2.Mac && e.Kind != WireKind.Advert && e.Time > killedAt);
            Assert.True(resigned is not null && announced is not null, lab.Explain());
            Assert.True(announced.Time - killedAt < lab.Scenario.MasterDownInterval.TotalSeconds, $"ka2 announced {announced.Time - killedAt:F3} s after the kill\n{lab.Explain()}");
            Assert.Contains($"track process {name}: quorum lost (0 running, 1 or more wanted)", lab.Output("ka1"), StringComparison.Ordinal);
            Assert.Contains($"process {name} failed", lab.StatusDocument("ka1")!.ToJsonString(), StringComparison.Ordinal);

            using var again = Process.Start(balancer, "600");
            try
            {
                Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip),
                    TimeSpan.FromSeconds(5)), lab.Explain());
                Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Backup", TimeSpan.FromSeconds(2)), lab.Explain());
            }
            finally
            {
                again.Kill();
                again.WaitForExit();
            }
        }
        finally
        {
            if (!running.HasExited)
            {
                running.Kill();
                running.WaitForExit();
            }
        }
    }
}
