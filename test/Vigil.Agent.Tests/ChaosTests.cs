using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Agent.Tests;

/// <summary>
/// The chaos suite's faults, shortened, against real agents (and a keepalived backup where the master's behaviour is
/// what is tested): each run checks what must hold during the fault and that the pair settles with ka1 the one master,
/// the VIP on ka1 alone and the client's neighbour entry on ka1, every transition logged once. The `chaos` benchmark
/// runs them in full beside keepalived pairs.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ChaosTests
{
    /// <summary>
    /// A mistaken takeover ends at the first of the master's adverts the backup hears, and it loses each with 30 %: it
    /// lasts n intervals with 0.3^n. Two (the old bound) failed a clean-clone run with 301 ms (2.7 % a takeover, a few
    /// takeovers a run); five is 0.24 % a takeover. A master that did not answer would leave every takeover to its
    /// next scheduled advert heard, and the two-master times would grow with each lost one.
    /// </summary>
    [Fact]
    public void LossyLink_ThirtyPercentOfAdvertsLost_TwoMastersEndAtTheFirstAdvertHeard()
    {
        var outcome = Run(() => ChaosScenarios.LossyLink(Daemon.Vigil, Daemon.Vigil, "100ms", TimeSpan.FromSeconds(15)));
        Assert.True(outcome.Figures.LongestDualMaster <= TimeSpan.FromMilliseconds(510), $"two masters for {outcome.Figures.LongestDualMaster.TotalMilliseconds:F0} ms\n{outcome.Explanation}");
    }

    [Fact]
    public void OneWayLoss_TheMasterReportsTheSplitBrain_AndItEndsWhenThePathHeals() =>
        Run(() => ChaosScenarios.OneWayLoss(Daemon.Vigil, Daemon.Vigil, TimeSpan.FromSeconds(3)));

    [Theory]
    [InlineData(Daemon.Vigil)]
    [InlineData(Daemon.Keepalived)]
    public void GrayFailure_AFrozenMasterResumes_OneMasterAtOnce_AndTheClientFollowsIt(Daemon backup) =>
        Run(() => ChaosScenarios.GrayFailure(Daemon.Vigil, backup, TimeSpan.FromSeconds(5)));

    [Fact]
    public void CpuStarvation_NoFalseTakeover() =>
        Run(() => ChaosScenarios.CpuStarvation(Daemon.Vigil, Daemon.Vigil, TimeSpan.FromSeconds(20)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LinkFlaps_EndWithOneMaster_AndEachTransitionLoggedOnce(bool tracked) =>
        Run(() => ChaosScenarios.LinkFlaps(Daemon.Vigil, Daemon.Vigil, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(tracked ? 5 : 10), tracked));

    /// <summary>No takeover, Vigil's backup or keepalived's, and the master's answers bounded.</summary>
    [Theory]
    [InlineData(Daemon.Vigil)]
    [InlineData(Daemon.Keepalived)]
    public void AdvertFlood_ForgedLowerPriorities_NoTakeover_AndNotAmplified(Daemon backup) =>
        Run(() => ChaosScenarios.Flood(Daemon.Vigil, backup, 20_000));

    /// <summary>The soak, shortened: 100 instances at 100 ms adverts between two agents; ka2 never advertises and ka1 keeps every VIP.</summary>
    [Fact]
    public void Soak_HundredInstances_NoFalseTakeover()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        var outcome = Soak.Run(Daemon.Vigil, 100, "100ms", TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));
        foreach (var node in new[] { "ka1", "ka2" })
        {
            TestContext.Current.TestOutputHelper?.WriteLine(System.FormattableString.Invariant(
                $"{node}: resident {outcome.Last(node).ResidentKib / 1024.0:F1} MiB, CPU mean {outcome.MeanCpu(node):F2} % of one core"));
        }
        Assert.True(outcome.Broken.Count == 0, $"{string.Join("\n", outcome.Broken)}\n{outcome.Explanation}");
        Assert.Equal(0, outcome.FalseTakeovers);
    }

    private static ChaosOutcome Run(Func<ChaosOutcome> scenario)
    {
        Skips.IfMissing(FailoverLab.KeepalivedSkipReason ?? NodeFaults.SkipReason);
        var outcome = scenario();
        var f = outcome.Figures;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{outcome.Fault}, {outcome.Pair}: takeovers {f.Takeovers} (expected {outcome.TakeoversExpected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}), " +
            $"two masters {f.LongestDualMaster.TotalMilliseconds:F0} ms, no VIP {f.LongestWithoutVip.TotalMilliseconds:F0} ms, VIP on two {f.LongestVipOnTwo.TotalMilliseconds:F0} ms, " +
            $"advert lateness worst {f.WorstAdvertLateness.TotalMilliseconds:F1} ms p99 {f.Percentile99AdvertLateness.TotalMilliseconds:F1} ms, client outage {outcome.ClientOutage.TotalMilliseconds:F0} ms");
        Assert.True(outcome.Broken.Count == 0, $"{string.Join("\n", outcome.Broken)}\n{outcome.Explanation}");
        return outcome;
    }
}
