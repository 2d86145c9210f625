using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Agent.Tests;

/// <summary>
/// The change-order table's facts, kept true (the `chaos --fault rollout` benchmark prints the whole table): a change
/// reaching one node of the pair, then the other, reloaded by SIGHUP. A keepalived backup discards a master's adverts
/// whose address list differs from its own and takes over (keepalived issue #1603); a Vigil pair takes the VIP, interval
/// and priority changes in either order and a change of the adverts' form backup first, with no takeover, and moves
/// mastership with one takeover when a priority says so.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class RolloutOrderTests
{
    private static ChaosOutcome Run(Daemon ka1, Daemon ka2, string change, bool masterFirst)
    {
        Skips.IfMissing(FailoverLab.KeepalivedSkipReason);
        Skips.IfMissing(NodeFaults.SkipReason);
        var outcome = Rollout.Run(ka1, ka2, RolloutChange.All.Single(c => c.Name == change), masterFirst);
        TestContext.Current.TestOutputHelper?.WriteLine($"{outcome.Fault}, {outcome.Pair}: takeovers {outcome.Figures.Takeovers}, " +
            $"two masters {outcome.Figures.LongestDualMaster.TotalMilliseconds:F0} ms, no VIP {outcome.Figures.LongestWithoutVip.TotalMilliseconds:F0} ms");
        return outcome;
    }

    /// <summary>No takeover, the VIP always on a node, every rule of the run held.</summary>
    private static void NoTakeover(ChaosOutcome outcome) =>
        Assert.True(outcome.Figures.Takeovers == 0 && outcome.Figures.LongestWithoutVip == TimeSpan.Zero && outcome.Broken.Count == 0,
            $"{outcome.Figures}\n{string.Join("; ", outcome.Broken)}\n{outcome.Explanation}");

    [Theory]
    [InlineData("vip-added", true)]
    [InlineData("vip-added", false)]
    [InlineData("vip-removed", false)]
    [InlineData("vip-moved", false)]
    [InlineData("interval", true)]
    [InlineData("priority-down", false)]
    public void VigilPair_TakesTheChange_InEitherOrder_WithNoTakeover(string change, bool masterFirst)
    {
        NoTakeover(Run(Daemon.Vigil, Daemon.Vigil, change, masterFirst));
    }

    /// <summary>
    /// A change of the adverts' form: the backup takes the master's old adverts within its rollout window, and the master
    /// restarts in place (no priority-0 advert, VIPs kept). Before: every one of these took over, two masters 1.1-7.4 s.
    /// </summary>
    [Theory]
    [InlineData("auth-added", false)]
    [InlineData("version", false)]
    [InlineData("vrid", false)]
    [InlineData("transport", false)]
    [InlineData("transport", true)]
    public void VigilPair_TakesAChangeOfTheAdvertsForm_BackupFirst_WithNoTakeover(string change, bool masterFirst)
    {
        NoTakeover(Run(Daemon.Vigil, Daemon.Vigil, change, masterFirst));
    }

    [Fact]
    public void KeepalivedMaster_VigilBackup_AuthenticationAddedBackupFirst_NoTakeover()
    {
        NoTakeover(Run(Daemon.Keepalived, Daemon.Vigil, "auth-added", masterFirst: false));
    }

    [Fact]
    public void VigilPair_APriorityThatMovesMastership_HandsOverOnce_WithoutTwoMasters()
    {
        var outcome = Run(Daemon.Vigil, Daemon.Vigil, "priority-handover", masterFirst: false);
        Assert.True(outcome.Figures.Takeovers == 1 && outcome.Figures.LongestDualMaster <= TimeSpan.FromMilliseconds(100) && outcome.Broken.Count == 0,
            $"{outcome.Figures}\n{string.Join("; ", outcome.Broken)}\n{outcome.Explanation}");
    }

    [Fact]
    public void KeepalivedPair_VipAddedOnTheMasterFirst_TheBackupTakesOver()
    {
        var outcome = Run(Daemon.Keepalived, Daemon.Keepalived, "vip-added", masterFirst: true);
        Assert.True(outcome.Figures.Takeovers >= 1 && outcome.Figures.LongestDualMaster > TimeSpan.Zero, $"{outcome.Figures}\n{outcome.Explanation}");
    }
}
