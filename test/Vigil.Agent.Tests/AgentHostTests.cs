using Vigil.Agent.Reconcile;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// The agent host's reconcile logic on a fake kernel, fake time and revisions given in memory (as a git source hands
/// them over): apply, refusal, a partial apply and its retry, a fetch failure, a restart that resumes as master; the
/// status file is read back through its contract after each.
/// </summary>
public sealed class AgentHostTests : IDisposable
{
    private const string CommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string CommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-host-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly FakeKernel _kernel = new();
    private readonly MemoryRevisions _source = new();
    private readonly List<AgentHost> _hosts = [];

    public void Dispose()
    {
        _hosts.ForEach(h => h.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    private AgentOptions Options => new("ka1", Path.Combine(_directory, "ka1.json"), Path.Combine(_directory, "state"));

    private AgentHost Host()
    {
        var host = new AgentHost(Options, _source, Serilog.Core.Logger.None, _kernel, _time);
        _hosts.Add(host);
        return host;
    }

    private StatusDocument Status => StatusDocument.Read(Options.StatusFile);

    /// <param name="node">More of ka1's entry in the Cluster (indented as its fields), say its static routes.</param>
    internal static SourceRevision Revision(string commit, string instances, string node = "") => new(commit, $"subject of {commit[..4]}",
    [
        ("cluster.yaml", $"""
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: lab
            spec:
              defaults:
                interface: eth0
                vrrpVersion: 3
                advertInterval: 100ms
              nodes:
                - name: ka1
                  interfaces:
                    - name: eth0
                      addresses: [198.51.100.11/24]
                    - name: eth9
                      addresses: [203.0.113.11/24]
            {node}
            """),
        ("vi.yaml", instances),
    ]);

    internal static string Instance(string name, int vrid, string vip, string? iface = null, int vridOverride = 0) => $"""
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: {name}
        spec:
          virtualRouterId: {(vridOverride > 0 ? vridOverride : vrid)}{(iface is null ? "" : $"\n  interface: {iface}")}
          members:
            - node: ka1
              priority: 100
          virtualAddresses:
            - address: {vip}/24
        """;

    private static readonly string OneInstance = Instance("vi_1", 51, "198.51.100.100");

    [Fact]
    public void Start_AppliesTheFirstRevision_AndItsStatusSaysSo()
    {
        _source.Next = Revision(CommitA, OneInstance);
        var host = Host();

        Assert.True(host.Start());

        var status = Status;
        Assert.Equal((CommitA, "applied", CommitA), (status.Source.Commit, status.Source.LastOutcome, status.Source.LastGood));
        Assert.Equal("Backup", Assert.Single(status.Instances).State);
        Assert.True(status.Conditions["vi_1"].Single(c => c.Type == "Ready").Status);
        Assert.Equal("done", status.Source.LastPass?.Result);
        Assert.Single(ApplyHistory.Read(Options.HistoryFile!));
    }

    [Fact]
    public void AnInvalidCommit_IsRefused_Stalled_AndTheRunningOneKept()
    {
        _source.Next = Revision(CommitA, OneInstance);
        var host = Host();
        host.Start();
        _source.Next = Revision(CommitB, Instance("vi_1", 51, "198.51.100.100", vridOverride: 300));

        var pass = host.Reconcile(fromInterval: true);

        Assert.Equal(PassResult.Kind.Stalled, pass.Ending);
        var status = Status;
        Assert.Equal((CommitA, "refused", CommitA), (status.Source.Commit, status.Source.LastOutcome, status.Source.LastGood));
        Assert.Contains("vi.yaml:", status.Source.LastError, StringComparison.Ordinal);
        Assert.Contains("virtualRouterId", status.Source.LastError, StringComparison.Ordinal);
        Assert.Equal("stalled", status.Source.LastPass?.Result);
        Assert.Equal("vi_1", Assert.Single(status.Instances).Name);
    }

    [Fact]
    public void ACommitAPolicyDenies_IsRefused_AndTheRunningOneKept()
    {
        const string policy = """
            apiVersion: vigil/v1
            kind: Policy
            metadata:
              name: ownership
            spec:
              owners:
                - folder: /
                  addresses: [198.51.100.96/28]
            """;
        _source.Next = Revision(CommitA, OneInstance) with { Files = [.. Revision(CommitA, OneInstance).Files, ("policies/ownership.yaml", policy)] };
        var host = Host();
        host.Start();
        var before = _kernel.Addresses();
        var outside = Revision(CommitB, Instance("vi_1", 51, "198.51.100.200"));
        _source.Next = outside with { Files = [.. outside.Files, ("policies/ownership.yaml", policy)] };

        var pass = host.Reconcile(fromInterval: true);

        Assert.Equal(PassResult.Kind.Stalled, pass.Ending);
        var status = Status;
        Assert.Equal((CommitA, "refused", CommitA), (status.Source.Commit, status.Source.LastOutcome, status.Source.LastGood));
        Assert.Contains("vi.yaml:", status.Source.LastError, StringComparison.Ordinal);
        Assert.Contains("198.51.100.200/24 is outside the addresses of folder / (198.51.100.96/28) [ownership]", status.Source.LastError, StringComparison.Ordinal);
        Assert.Equal(before, _kernel.Addresses());
        Assert.Equal("vi_1", Assert.Single(status.Instances).Name);
    }

    /// <summary>Two units (top-level folders) beside the Cluster at the root, isolated: network/ and db/.</summary>
    private static SourceRevision Units(string commit, string network, string db, bool isolated = true) => new(commit, $"subject of {commit[..4]}",
    [
        ("cluster.yaml", Revision(commit, "").Files[0].Text.Replace("spec:\n", isolated ? "spec:\n  faultIsolation: topLevelFolders\n" : "spec:\n", StringComparison.Ordinal)),
        ("db/vi.yaml", db),
        ("network/vi.yaml", network),
    ]);

    [Fact]
    public void FaultIsolation_ABrokenUnit_IsHeldBack_TheOtherAdvances_ARestartKeepsBoth_AFixApplies()
    {
        const string commitC = "cccccccccccccccccccccccccccccccccccccccc";
        _source.Next = Units(CommitA, Instance("vi_net", 51, "198.51.100.100"), Instance("vi_db", 52, "198.51.100.110"));
        var host = Host();
        host.Start();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["198.51.100.100", "198.51.100.110"], _kernel.Held());

        // network/ moves its VIP; db/ breaks (a VRID out of range) and would move its own.
        _source.Next = Units(CommitB, Instance("vi_net", 51, "198.51.100.101"), Instance("vi_db", 52, "198.51.100.111", vridOverride: 300));
        var pass = host.Reconcile(fromInterval: true);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(PassResult.Kind.Done, pass.Ending);
        Assert.Equal(["198.51.100.101", "198.51.100.110"], _kernel.Held());
        var source = Status.Source;
        Assert.Equal((CommitB, "partlyApplied", CommitB), (source.Commit, source.LastOutcome, source.LastGood));
        var held = Assert.Single(source.HeldUnits);
        Assert.Equal(("db/", CommitA), (held.Unit, held.Commit));
        Assert.Contains("db/vi.yaml:6:", held.Reason, StringComparison.Ordinal);
        Assert.StartsWith("commit bbbbbbbbbbbb: partly applied: unit db/ held back at commit aaaaaaaaaaaa: db/vi.yaml:6:", source.LastError, StringComparison.Ordinal);
        var entry = ApplyHistory.Read(Options.HistoryFile!)[^1];
        Assert.Equal((CommitB, ReconcileOutcome.PartlyApplied), (entry.Commit, entry.Outcome));
        Assert.StartsWith("unit db/ held back at commit aaaaaaaaaaaa: ", entry.Details[0], StringComparison.Ordinal);

        // A restart reads commit B again: the same composition, no refusal.
        host.Leave();
        var restarted = Host();
        Assert.True(restarted.Start());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["198.51.100.101", "198.51.100.110"], _kernel.Held());
        Assert.Equal(("db/", CommitA), (Status.Source.HeldUnits[0].Unit, Status.Source.HeldUnits[0].Commit));
        Assert.DoesNotContain(ApplyHistory.Read(Options.HistoryFile!), e => e.Outcome == ReconcileOutcome.Refused);

        // db/ fixed: the whole commit applies and nothing is held.
        _source.Next = Units(commitC, Instance("vi_net", 51, "198.51.100.101"), Instance("vi_db", 52, "198.51.100.111"));
        restarted.Reconcile(fromInterval: true);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["198.51.100.101", "198.51.100.111"], _kernel.Held());
        Assert.Equal((commitC, "applied"), (Status.Source.Commit, Status.Source.LastOutcome));
        Assert.Empty(Status.Source.HeldUnits);
        Assert.Null(Status.Source.LastError);
    }

    [Fact]
    public void FaultIsolation_Off_RefusesTheWholeCommit()
    {
        _source.Next = Units(CommitA, OneInstance, Instance("vi_db", 52, "198.51.100.110"), isolated: false);
        var host = Host();
        host.Start();
        _source.Next = Units(CommitB, Instance("vi_1", 51, "198.51.100.101"), Instance("vi_db", 52, "198.51.100.111", vridOverride: 300), isolated: false);

        var pass = host.Reconcile(fromInterval: true);

        Assert.Equal(PassResult.Kind.Stalled, pass.Ending);
        Assert.Equal((CommitA, "refused"), (Status.Source.Commit, Status.Source.LastOutcome));
        Assert.Empty(Status.Source.HeldUnits);
    }

    [Fact]
    public void AMissingInterface_IsPartlyApplied_RetriedUntilItAppears_ThenApplied()
    {
        _source.Next = Revision(CommitA, OneInstance + "\n---\n" + Instance("vi_2", 52, "203.0.113.100", iface: "eth9"));
        var host = Host();
        host.Start();
        Assert.Equal(("partlyApplied", null), (Status.Source.LastOutcome, Status.Source.LastGood));

        var still = host.Retry();
        Assert.Equal(PassResult.Kind.RetryAfter, still.Ending);
        Assert.True(Status.Conditions["vi_2"].Single(c => c.Type == "Stalled").Status);

        _kernel.Links.Add(new NetworkLink(9, "eth9", true, true, null));
        var done = host.Retry();

        Assert.Equal(PassResult.Kind.Done, done.Ending);
        var status = Status;
        Assert.Equal(("applied", CommitA), (status.Source.LastOutcome, status.Source.LastGood));
        Assert.Empty(status.Source.NotApplied);
        Assert.Equal(["vi_1", "vi_2"], status.Instances.Select(i => i.Name));
        Assert.Equal(2, ApplyHistory.Read(Options.HistoryFile!).Count); // partly, then fully applied
    }

    [Fact]
    public void AFetchThatFails_KeepsTheRunningCommit_SaysWhy_AndRetriesSooner()
    {
        _source.Next = Revision(CommitA, OneInstance);
        var host = Host();
        host.Start();
        _source.Failure = new IOException("remote unreachable");

        var pass = host.Reconcile(fromInterval: true);

        Assert.Equal(PassResult.Kind.RetryAfter, pass.Ending);
        var status = Status;
        Assert.Equal(CommitA, status.Source.Commit);
        Assert.Equal("remote unreachable", status.Source.LastError);
        Assert.Equal("retryAfter", status.Source.LastPass?.Result);

        _source.Failure = null;
        host.Reconcile(fromInterval: true);
        Assert.Null(Status.Source.LastError);
    }

    /// <summary>
    /// A fetch that hangs (a remote that accepts and never answers, up to the fetch timeout) does not hold a stop asked
    /// meanwhile: the pass gives way at once and the stop releases the VIPs; the fetch ends by itself later. The fetch
    /// used to run on the worker, so SIGTERM's priority-0 advert waited for it.
    /// </summary>
    [Fact]
    public async Task AStop_AskedWhileAFetchHangs_IsNotHeldByIt()
    {
        _source.Next = Revision(CommitA, OneInstance);
        var host = Host();
        host.Start();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("198.51.100.100", _kernel.Held());
        using var release = new ManualResetEventSlim();
        _source.Hang = release;

        var pass = Task.Run(() => host.Reconcile(fromInterval: true), TestContext.Current.CancellationToken);
        Assert.True(await Poll.Until(() => _source.Hanging), "the fetch did not start");
        host.Requests.Enqueue(ReconcileRequest.Stop);
        var result = await pass.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        host.Stop();

        Assert.Equal(PassResult.Kind.RetryAfter, result.Ending);
        Assert.StartsWith("stopping", result.Reason, StringComparison.Ordinal);
        Assert.True(_source.Hanging, "the fetch was still under way");
        Assert.DoesNotContain("198.51.100.100", _kernel.Held());
        release.Set();
    }

    [Fact]
    public void ARestart_AfterLeaving_ResumesAsMaster_WithTheVipsKept()
    {
        _source.Next = Revision(CommitA, OneInstance);
        var first = Host();
        first.Start();
        _time.Advance(TimeSpan.FromSeconds(1)); // Master_Down_Interval runs out: master
        Assert.Equal("Master", Assert.Single(first.Status().Instances).State.ToString()); // the file follows on the status timer
        Assert.Contains("198.51.100.100", _kernel.Held());

        first.Leave();
        var second = Host();
        Assert.True(second.Start());

        var instance = Assert.Single(Status.Instances);
        Assert.Equal("Master", instance.State);
        Assert.StartsWith("resumed", instance.Reason, StringComparison.Ordinal);
    }

    /// <summary>Revisions handed over as a git source would: the newest, or an earlier one by commit.</summary>
    internal sealed class MemoryRevisions : IRevisionSource
    {
        private readonly Dictionary<string, SourceRevision> _seen = [];
        private SourceRevision? _next;

        public SourceRevision? Next
        {
            get => _next;
            set
            {
                _next = value;
                if (value?.Commit is { } commit)
                {
                    _seen[commit] = value;
                }
            }
        }

        public Exception? Failure { get; set; }

        public string Location => "memory";

        public string? Folder => "";

        /// <summary>When set, a fetch waits for it (a silent remote), saying so with <see cref="Hanging"/>.</summary>
        public ManualResetEventSlim? Hang { get; set; }

        public bool Hanging { get; private set; }

        public SourceRevision Latest()
        {
            if (Hang is { } hang)
            {
                Hanging = true;
                hang.Wait();
                Hanging = false;
            }
            return Failure is { } failure ? throw failure : Next ?? throw new GitSourceException("nothing yet");
        }

        public SourceRevision? At(string commit) => _seen.GetValueOrDefault(commit);

        public void Dispose()
        {
        }
    }
}
