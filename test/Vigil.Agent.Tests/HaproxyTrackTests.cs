using System.Diagnostics;
using Vigil.Demo;
using Vigil.Lab;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// The haproxy-track example as shipped, with Debian's haproxy running in each node's namespace (test/run extracts it):
/// haproxy on the master stops, its vrrp_script (curl on haproxy's monitor-uri) fails twice (fall 2), the priority
/// drops 100 → 70 below the backup's 90 and the backup takes over; haproxy starts again, two successes (rise 2) bring
/// the priority back and, with preemption, the VIP.
/// </summary>
public sealed class HaproxyTrackTests
{
    private static readonly string Haproxy = Environment.GetEnvironmentVariable("VIGIL_TEST_HAPROXY") ?? "/usr/sbin/haproxy";

    private const string Config = """
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend health
            bind 127.0.0.1:8404
            monitor-uri /ready
        """;

    [Fact]
    public void HaproxyStops_MasterGivesUpTheVip_AndTakesItBackWhenHaproxyReturns()
    {
        Skips.IfMissing((FailoverLab.SkipReason ?? ProcessServer.SkipReason(Haproxy, "haproxy (extracted by test/run)")));
        using var lab = new FailoverLab(new Scenario(Version: 2, Interval: "1s"));
        var example = Path.Combine(lab.Directory, "haproxy-track");
        Directory.CreateDirectory(example);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Examples, "haproxy-track")))
        {
            File.Copy(file, Path.Combine(example, Path.GetFileName(file)));
        }
        lab.VigilSource = _ => ["--config", example];
        var config = Path.Combine(lab.Directory, "haproxy.cfg");
        File.WriteAllText(config, Config + "\n"); // haproxy refuses a last line without its LF
        var haproxyOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Process StartHaproxy(LabHost host) => lab.Lab.Start(host, Haproxy, ["-f", config, "-db"], haproxyOutput.Enqueue);
        var haproxy = StartHaproxy(lab.Ka1);
        StartHaproxy(lab.Ka2);
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        Assert.True(100 == (int?)lab.Status("ka1")!["priority"], string.Join("\n", haproxyOutput) + lab.Explain());

        NamespaceLab.Signal(haproxy, "KILL");

        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip), TimeSpan.FromSeconds(15)), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => (int?)lab.Status("ka1")?["priority"] == 70 && lab.State("ka1") == "Backup", TimeSpan.FromSeconds(3)), lab.Explain());
        Assert.Contains("vrrp_script chk_haproxy: failed: exit 7, 2 failure(s) in a row", lab.Output("ka1"), StringComparison.Ordinal); // curl: could not connect
        Assert.Contains(lab.Wire.Events, e => e.Mac == lab.Ka1.Mac && e.Kind == WireKind.Advert && e.Priority == 70);
        Assert.Equal(90, (int?)lab.Status("ka2")!["priority"]); // ka2's own haproxy still answers

        StartHaproxy(lab.Ka1);

        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip) && !lab.Lab.Holds(lab.Ka2, lab.Scenario.Vip),
            TimeSpan.FromSeconds(15)), lab.Explain());
        Assert.Equal(100, (int?)lab.Status("ka1")!["priority"]);
        Assert.Contains("vrrp_script chk_haproxy: OK again: exit 0, 2 success(es) in a row", lab.Output("ka1"), StringComparison.Ordinal);
    }
}
