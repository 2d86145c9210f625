using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

/// <summary>
/// A node's turn in a rollout (rollout.waitForPeers), from plain values: who goes before whom by the real roles, what
/// counts as a peer having applied a commit, and what the node does after the wait timeout.
/// </summary>
public sealed class RolloutGateTests
{
    private const string Commit = "1a2b3c4d5e6f7a8b";
    private static readonly RolloutSpec Spec = new() { WaitForPeers = true, WaitTimeout = TimeSpan.FromMinutes(2) };
    private static readonly IReadOnlyDictionary<string, string> NoMasters = new Dictionary<string, string>();

    private static (IReadOnlyList<NodeDesiredState> Before, IReadOnlyList<NodeDesiredState> After) VridChange() =>
        (Nodes(TestStates.State(null, TestStates.Instance())), Nodes(TestStates.State(null, TestStates.Instance(vrid: 53))));

    private static NodeDesiredState[] Nodes(DesiredState state) => [.. state.ClusterSpec.Nodes.Select(n => NodeProjection.For(state, n.Name))];

    private static PeerProgress Ran(string node, string? commit, bool ready = true, string? master = null) =>
        new(node, commit, ready ? new HashSet<string> { "vi_1" } : [], master is null ? [] : new HashSet<string> { master });

    private static GateDecision Decide(string node, IReadOnlyDictionary<string, PeerProgress> peers, TimeSpan waited = default,
        IReadOnlyDictionary<string, string>? masters = null, RolloutSpec? spec = null)
    {
        var (before, after) = VridChange();
        return RolloutGate.Decide(node, Commit, before, after, masters ?? NoMasters, peers, waited, spec ?? Spec);
    }

    [Fact]
    public void TheBackup_GoesFirst_TheMasterWaitsUntilItRunsTheCommitAndIsReady()
    {
        Assert.Equal((GateVerdict.Go, "1a2b3c4d5e6f: ka2 goes first (vi_1 step 1 of 2)"), (Decide("ka2", new Dictionary<string, PeerProgress>()) is var d ? (d.Verdict, d.Message) : default));

        var notYet = Decide("ka1", new Dictionary<string, PeerProgress> { ["ka2"] = Ran("ka2", "0ff1ce0") });
        Assert.Equal(GateVerdict.Wait, notYet.Verdict);
        Assert.Equal("waiting for ka2 to apply 1a2b3c4d5e6f: ka2 runs 0ff1ce0", notYet.Message);
        Assert.Equal(["ka2"], notYet.WaitingFor);
        Assert.Equal(["vi_1 (VRID 51 -> 53: backups first, the master last): 1. ka2 (backup)  2. ka1 (master, after ka2 has applied it and is ready)"], notYet.Order);

        var notReady = Decide("ka1", new Dictionary<string, PeerProgress> { ["ka2"] = Ran("ka2", Commit, ready: false) });
        Assert.Equal("waiting for ka2 to apply 1a2b3c4d5e6f: ka2 runs it, but vi_1 is not ready there", notReady.Message);

        var done = Decide("ka1", new Dictionary<string, PeerProgress> { ["ka2"] = Ran("ka2", Commit) });
        Assert.Equal((GateVerdict.Go, "1a2b3c4d5e6f: ka2 has applied it and is ready: ka1's turn (vi_1 step 2 of 2)"), (done.Verdict, done.Message));
    }

    [Fact]
    public void TheRealMaster_GoesLast_NotTheConfiguredOne()
    {
        // ka2 took over (ka1's link was down, say): ka1 is the backup now, and goes first.
        var masters = new Dictionary<string, string> { ["vi_1"] = "ka2" };
        Assert.Equal(GateVerdict.Go, Decide("ka1", new Dictionary<string, PeerProgress>(), masters: masters).Verdict);
        var master = Decide("ka2", new Dictionary<string, PeerProgress> { ["ka1"] = Ran("ka1", "0ff1ce0") }, masters: masters);
        Assert.Equal(("waiting for ka1 to apply 1a2b3c4d5e6f: ka1 runs 0ff1ce0", GateVerdict.Wait), (master.Message, master.Verdict));
    }

    [Fact]
    public void ASilentOrRefusingPeer_IsNamed_AndTheTimeoutProceedsOrStalls()
    {
        var silent = new Dictionary<string, PeerProgress> { ["ka2"] = PeerProgress.Silent("ka2", "no answer in time") };
        Assert.Equal("waiting for ka2 to apply 1a2b3c4d5e6f: ka2 does not answer (no answer in time)", Decide("ka1", silent).Message);
        var refused = new Dictionary<string, PeerProgress> { ["ka2"] = Ran("ka2", "0ff1ce0") with { Refused = (Commit, "commit 1a2b3c4d5e6f is not signed") } };
        Assert.Equal("waiting for ka2 to apply 1a2b3c4d5e6f: ka2 refused it: commit 1a2b3c4d5e6f is not signed", Decide("ka1", refused).Message);

        Assert.Equal(GateVerdict.Wait, Decide("ka1", silent, waited: TimeSpan.FromSeconds(119)).Verdict);
        var proceeds = Decide("ka1", silent, waited: TimeSpan.FromMinutes(2));
        Assert.Equal(GateVerdict.Proceed, proceeds.Verdict);
        Assert.True(proceeds.Applies);
        Assert.Equal("ka2 did not apply 1a2b3c4d5e6f within 00:02:00: proceeding without it (rollout.onTimeout: proceed): ka2 does not answer (no answer in time)", proceeds.Message);
        var stalls = Decide("ka1", silent, waited: TimeSpan.FromMinutes(3), spec: Spec with { OnTimeout = RolloutTimeout.Stall });
        Assert.Equal(GateVerdict.Stall, stalls.Verdict);
        Assert.False(stalls.Applies);
        Assert.StartsWith("ka2 did not apply 1a2b3c4d5e6f within 00:02:00: stalled, still running the revision before", stalls.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChangeThatOrdersNothing_GoesAtOnce()
    {
        var state = Nodes(TestStates.State(null, TestStates.Instance()));
        var decision = RolloutGate.Decide("ka1", Commit, state, state, NoMasters, new Dictionary<string, PeerProgress>(), TimeSpan.Zero, Spec);

        Assert.Equal(GateVerdict.Go, decision.Verdict);
        Assert.Empty(decision.Order);
    }

    [Fact]
    public void AHandover_GoesToTheNewMasterFirst()
    {
        var before = Nodes(TestStates.State(null, TestStates.Instance()));
        var after = Nodes(TestStates.State(null, TestStates.Instance(ka2: 110)));
        var peers = new Dictionary<string, PeerProgress> { ["ka2"] = Ran("ka2", "0ff1ce0") };

        Assert.Equal(GateVerdict.Go, RolloutGate.Decide("ka2", Commit, before, after, NoMasters, new Dictionary<string, PeerProgress>(), TimeSpan.Zero, Spec).Verdict);
        Assert.Equal(GateVerdict.Wait, RolloutGate.Decide("ka1", Commit, before, after, NoMasters, peers, TimeSpan.Zero, Spec).Verdict);
    }

    [Fact]
    public void AKeepalivedMember_IsReloadedByHandInItsTurn_AndNotWaitedFor()
    {
        var (before, after) = VridChange();
        after = [.. after.Select(n => n.Node == "ka2" ? n with { Daemon = NodeDaemon.Keepalived } : n)];

        var decision = RolloutGate.Decide("ka1", Commit, before, after, NoMasters, new Dictionary<string, PeerProgress>(), TimeSpan.Zero, Spec);

        Assert.Equal(GateVerdict.Go, decision.Verdict);
        Assert.Equal("1a2b3c4d5e6f: ka1's turn, no agent to wait for (vi_1 step 2 of 2; not asked: ka2 (keepalived, reloaded by hand))", decision.Message);
        Assert.Equal(["vi_1 (VRID 51 -> 53: backups first, the master last): 1. ka2 (backup, keepalived: reload it by hand)  2. ka1 (master, after ka2 has applied it and is ready)"],
            decision.Order);
    }
}
