using Vigil.Lab;
using Vigil.Cli.Demo;

namespace Vigil.Agent.Tests;

/// <summary>
/// A Vigil agent and Debian's real keepalived in the same virtual router, each way round, v2 and v3, multicast and
/// unicast: the higher priority wins, and the backup takes over within the RFC bound plus 20 ms (a late takeover is
/// measured once more on a fresh lab: see <see cref="TakeoverBounds"/>). keepalived runs
/// with the configuration `vigil render -o keepalived` gives for its node, so both read the same cluster file.
/// v3 cases crash the master (100 ms adverts keep them quick); v2 cases (1 s adverts) stop it gracefully.
/// </summary>
public sealed class KeepalivedMixedTests
{
    public static TheoryData<Daemon, Daemon, int, string> Pairs => new()
    {
        { Daemon.Vigil, Daemon.Keepalived, 3, "multicast" },
        { Daemon.Keepalived, Daemon.Vigil, 3, "multicast" },
        { Daemon.Vigil, Daemon.Keepalived, 3, "unicast" },
        { Daemon.Keepalived, Daemon.Vigil, 3, "unicast" },
        { Daemon.Vigil, Daemon.Keepalived, 2, "multicast" },
        { Daemon.Keepalived, Daemon.Vigil, 2, "multicast" },
        { Daemon.Vigil, Daemon.Keepalived, 2, "unicast" },
        { Daemon.Keepalived, Daemon.Vigil, 2, "unicast" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Master_Backup_HigherPriorityWins_AndTheBackupTakesOverInTime(Daemon master, Daemon backup, int version, string transport)
    {
        Skips.IfMissing(FailoverLab.KeepalivedSkipReason);
        var scenario = version == 3
            ? new Scenario(Version: 3, Interval: "100ms", Transport: transport)
            : new Scenario(Version: 2, Interval: "1s", Transport: transport, Password: "s3cr3t");
        var graceful = version == 2;
        TakeoverBounds.AssertWithin(graceful ? scenario.SkewTime : scenario.MasterDownInterval, () => new FailoverLab(scenario), lab =>
        {
            var (ka1, _) = Takeover.StartPair(lab, master, backup);
            return Takeover.Measure(lab, () => Takeover.Stop(lab, master, "ka1", ka1, graceful), graceful);
        }, lab =>
        {
            if (transport == "unicast")
            {
                Assert.DoesNotContain(lab.Wire.Events, e => e.Kind == WireKind.Advert && e.Destination == "224.0.0.18");
            }
        });
    }
}
