using Vigil.Agent.Reconcile;
using Vigil.Agent.Rollouts;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Source;
using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// A node's turn in a rollout (Cluster rollout.waitForPeers) on the agent host, with fake time, a fake kernel and peers
/// that say what the test tells them: the master waits for the backup to run the commit with its instance Ready, keeps
/// its revision meanwhile (and takes the commit's adverts), stalls or proceeds at the timeout as the Cluster says, and
/// applies once its turn comes; the status and the history say what happened.
/// </summary>
public sealed class RolloutTurnTests : IDisposable
{
    private const string CommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string CommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-turn-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly FakeKernel _kernel = new();
    private readonly AgentHostTests.MemoryRevisions _source = new();
    private readonly TellingPeers _peers = new();
    private AgentHost? _host;

    public void Dispose()
    {
        _host?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private AgentOptions Options => new("ka1", Path.Combine(_directory, "ka1.json"), Path.Combine(_directory, "state"));

    private StatusDocument Status => StatusDocument.Read(Options.StatusFile);

    /// <summary>ka1 (priority 100, the master) and ka2 (80) share vi_1; the rollout waits for peers.</summary>
    private static SourceRevision Revision(string commit, int vrid, string onTimeout = "stall") => new(commit, $"subject of {commit[..4]}",
    [
        ("cluster.yaml", $"""
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: lab
            spec:
              peerStatus:
                port: 9111
                keyFile: /etc/vigil/peer.key
              rollout:
                waitForPeers: true
                waitTimeout: 1m
                onTimeout: {onTimeout}
              defaults:
                interface: eth0
                vrrpVersion: 3
                advertInterval: 100ms
              nodes:
                - name: ka1
                  interfaces:
                    - name: eth0
                      addresses: [198.51.100.11/24]
                - name: ka2
                  interfaces:
                    - name: eth0
                      addresses: [198.51.100.12/24]
            """),
        ("vi.yaml", $"""
            apiVersion: vigil/v1
            kind: VrrpInstance
            metadata:
              name: vi_1
            spec:
              virtualRouterId: {vrid}
              members:
                - node: ka1
                  priority: 100
                - node: ka2
                  priority: 80
              virtualAddresses:
                - address: 198.51.100.100/24
            """),
    ]);

    private AgentHost Started(string onTimeout = "stall")
    {
        _source.Next = Revision(CommitA, 51, onTimeout);
        _host = new AgentHost(Options, _source, Serilog.Core.Logger.None, _kernel, _time, peers: _peers);
        Assert.True(_host.Start());
        _peers.Answer = Ran(CommitA);
        _source.Next = Revision(CommitB, 53, onTimeout);
        return _host;
    }

    private static PeerProgress Ran(string commit, bool ready = true) =>
        new("ka2", commit, ready ? new HashSet<string> { "vi_1" } : [], new HashSet<string>());

    [Fact]
    public void TheMaster_WaitsForTheBackup_StallsAtTheTimeout_AndAppliesInItsTurn()
    {
        var host = Started();

        var waiting = host.Reconcile(fromInterval: true);

        Assert.Equal((PassResult.Kind.RetryAfter, "waiting for ka2 to apply bbbbbbbbbbbb: ka2 runs aaaaaaaaaaaa"), (waiting.Ending, waiting.Reason));
        var status = Status;
        Assert.Equal(CommitA, status.Source.Commit);
        Assert.Equal(51, Assert.Single(status.Instances).VirtualRouterId);
        Assert.Equal("wait", status.Rollout!.Verdict);
        Assert.Equal(["ka2"], status.Rollout.WaitingFor);
        Assert.Equal(["vi_1 (VRID 51 -> 53: backups first, the master last): 1. ka2 (backup)  2. ka1 (master, after ka2 has applied it and is ready)"], status.Rollout.Order);
        // While it waits it takes the commit's adverts too: a peer that went first is heard.
        Assert.NotNull(Assert.Single(status.Instances).ToleratingUntil);
        Assert.Equal(["ka2"], _peers.Asked);

        _peers.Answer = Ran(CommitB, ready: false);
        Assert.Equal("waiting for ka2 to apply bbbbbbbbbbbb: ka2 runs it, but vi_1 is not ready there", host.Retry().Reason);

        _time.Advance(TimeSpan.FromMinutes(1));
        var stalled = host.Retry();
        Assert.Equal(PassResult.Kind.Stalled, stalled.Ending);
        Assert.StartsWith("ka2 did not apply bbbbbbbbbbbb within 00:01:00: stalled, still running the revision before", stalled.Reason, StringComparison.Ordinal);
        Assert.Equal((CommitA, "stall"), (Status.Source.Commit, Status.Rollout!.Verdict));

        // The interval pass finds the same commit waiting: not read again, the peers asked again.
        _peers.Answer = Ran(CommitB);
        var applied = host.Reconcile(fromInterval: true);

        Assert.Equal(PassResult.Kind.Done, applied.Ending);
        status = Status;
        Assert.Equal((CommitB, "applied"), (status.Source.Commit, status.Source.LastOutcome));
        Assert.Equal(53, Assert.Single(status.Instances).VirtualRouterId);
        Assert.Equal(("go", "bbbbbbbbbbbb: ka2 has applied it and is ready: ka1's turn (vi_1 step 2 of 2)"), (status.Rollout!.Verdict, status.Rollout.Message));
        // Waiting is not an outcome: the history has the two applies only.
        Assert.Equal([(CommitA, ReconcileOutcome.Applied), (CommitB, ReconcileOutcome.Applied)],
            ApplyHistory.Read(Options.HistoryFile!).Select(h => (h.Commit, h.Outcome)));
    }

    [Fact]
    public void ASilentPeer_IsNamed_AndTheTimeoutProceeds()
    {
        var host = Started(onTimeout: "proceed");
        _peers.Answer = PeerProgress.Silent("ka2", "no answer in time");

        Assert.Equal("waiting for ka2 to apply bbbbbbbbbbbb: ka2 does not answer (no answer in time)", host.Reconcile(fromInterval: true).Reason);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(PassResult.Kind.Done, host.Retry().Ending);

        Assert.Equal((CommitB, "proceed"), (Status.Source.Commit, Status.Rollout!.Verdict));
    }

    [Fact]
    public void WithoutWaitForPeers_TheCommitAppliesAtOnce_AndNoPeerIsAsked()
    {
        var host = Started();
        _source.Next = Revision(CommitB, 53) with
        {
            Files = [.. Revision(CommitB, 53).Files.Select(f => (f.Path, f.Text.Replace("waitForPeers: true", "waitForPeers: false", StringComparison.Ordinal)))],
        };

        Assert.Equal(PassResult.Kind.Done, host.Reconcile(fromInterval: true).Ending);

        Assert.Equal(CommitB, Status.Source.Commit);
        Assert.Null(Status.Rollout);
        Assert.Empty(_peers.Asked);
    }

    /// <summary>Peers that answer what the test says, recording whom the agent asked.</summary>
    private sealed class TellingPeers : IPeerProgress
    {
        public PeerProgress Answer { get; set; } = PeerProgress.Silent("ka2", "not told");

        public List<string> Asked { get; } = [];

        public IReadOnlyDictionary<string, PeerProgress> Ask(PeerStatusSpec spec, IReadOnlyList<NodeSpec> nodes)
        {
            Asked.AddRange(nodes.Select(n => n.Name).Where(n => !Asked.Contains(n)));
            return nodes.ToDictionary(n => n.Name, n => Answer with { Node = n.Name }, StringComparer.Ordinal);
        }
    }
}
