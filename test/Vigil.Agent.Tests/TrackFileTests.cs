using System.Diagnostics;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// keepalived's track_file in the lab: the one cluster file names one path; each node's agent sees its own file there
/// (a bind mount in its namespace). A number written on the master moves its priority at once (inotify), the backup
/// takes over, and writing 0 gives the VIP back.
/// </summary>
public sealed class TrackFileTests
{
    [Fact]
    public void NumberWritten_MovesThePriority_BackupTakesOver_AndZeroGivesItBack()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var target = lab.PerNodeFolder("track");
        File.WriteAllText(Path.Combine(lab.Directory, "ka2", "maintenance"), "0\n");
        var instance = Path.Combine(lab.ConfigFolder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() +
            $"\n  trackFiles:\n    - file: {target}/maintenance\n      weight: -30\n");
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.Equal(100, (int?)lab.Status("ka1")!["priority"]); // ka1's file is missing: 0

        var written = Stopwatch.StartNew();
        File.WriteAllText(Path.Combine(lab.Directory, "ka1", "maintenance"), "1\n");

        Assert.True(FailoverLab.WaitUntil(() => (int?)lab.Status("ka1")?["priority"] == 70, TimeSpan.FromSeconds(2)), lab.Explain());
        var reacted = written.Elapsed;
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip), TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Backup", TimeSpan.FromSeconds(2)), lab.Explain());
        Assert.Equal(80, (int?)lab.Status("ka2")!["priority"]); // ka2's own file says 0
        Assert.Contains(lab.Wire.Events, e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority == 70);
        Assert.Contains($"track file {target}/maintenance: 0 -> 1", lab.Output("ka1"), StringComparison.Ordinal);
        // inotify, not the 5 s backstop, saw the write.
        Assert.True(reacted < TimeSpan.FromSeconds(1.5), $"the priority moved {reacted.TotalMilliseconds:F0} ms after the write");

        File.WriteAllText(Path.Combine(lab.Directory, "ka1", "maintenance"), "0\n");

        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip),
            TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Equal(100, (int?)lab.Status("ka1")!["priority"]);
    }
}
