using System.Net;
using System.Text.Json.Nodes;
using Vigil.Agent;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source.Git;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Cli.Tests;

/// <summary>`vigil status` reads what an agent writes (<see cref="AgentStatus.WriteTo"/>), as text and as JSON.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-status-").FullName;
    private readonly StandInAgent _agent = new();

    public void Dispose()
    {
        _agent.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private const string Commit = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

    private string WriteStatus(int? pid = null)
    {
        var instance = new VirtualRouterStatus("vi_1", VrrpState.Master, 100, IPAddress.Parse("198.51.100.12"), At, "master down",
            42, 7, 1, new Dictionary<VrrpRejection, long> { [VrrpRejection.AuthenticationMismatch] = 3 });
        var removed = new AddressEvent(false, new InterfaceAddress(2, IPAddress.Parse("198.51.100.100"), 24, 0, null));
        var source = new SourceStatus("/srv/cluster.git main", Commit, "add a VIP", Commit, "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
            "commit 9a8b7c6d5e4f: invalid (1 error(s)), nothing applied: vi_1.yaml:12:5: error: spec.virtualRouterId: 300 is more than 255",
            "9a8b7c6d5e4f00000000000000000000000000aa", ReconcileOutcome.Refused, At, At, 12.5, ["ipvs: this kernel has no IPVS: load ip_vs"]);
        var status = new AgentStatus("ka1", source, pid ?? _agent.Id, At, At, [instance],
            [new AddressDrift(AddressDriftKind.VipRemovedFromMaster, "vi_1", removed, At)],
            new Dictionary<AddressDriftKind, long> { [AddressDriftKind.VipRemovedFromMaster] = 2 });
        var path = Path.Combine(_directory, "ka1.json");
        status.WriteTo(path);
        return path;
    }

    [Fact]
    public void Status_Text_ShowsTheInstanceDropsAndDrift()
    {
        var run = CliRun.Of("status", WriteStatus());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("node ka1 (pid", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("stale status", run.Output, StringComparison.Ordinal); // its agent runs
        Assert.Matches(@"vi_1\s+Master\s+100 198\.51\.100\.12\s+42\s+7 ", run.Output);
        Assert.Contains("dropped authenticationMismatch=3", run.Output, StringComparison.Ordinal);
        Assert.Contains("drift: vipRemovedFromMaster x2, latest 198.51.100.100/24 removed (vi_1)", run.Output, StringComparison.Ordinal);
        Assert.Contains("commit 1a2b3c4d5e6f \"add a VIP\", last outcome refused", run.Output, StringComparison.Ordinal);
        Assert.Contains(", last good 0f1e2d3c4b5a", run.Output, StringComparison.Ordinal);
        Assert.Contains("error: commit 9a8b7c6d5e4f: invalid (1 error(s)), nothing applied: vi_1.yaml:12:5:", run.Output, StringComparison.Ordinal);
        Assert.Contains("not applied: ipvs: this kernel has no IPVS", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_Json_CarriesTheFileAndWhetherTheAgentRuns()
    {
        var run = CliRun.Of("status", WriteStatus(), "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var agent = Assert.Single(JsonNode.Parse(run.Output)!.AsArray())!;
        Assert.True((bool)agent["running"]!);
        Assert.Equal(2L, (long)agent["addressDriftCounts"]!["vipRemovedFromMaster"]!);
        Assert.Equal("removed", (string?)agent["addressDrift"]![0]!["change"]);
        Assert.Equal(3L, (long)agent["instances"]![0]!["dropped"]!["authenticationMismatch"]!);
        Assert.Equal(Commit, (string?)agent["source"]!["commit"]);
        Assert.Equal("refused", (string?)agent["source"]!["lastOutcome"]);
        Assert.StartsWith("9a8b7c6d5e4f", (string?)agent["source"]!["lastErrorCommit"], StringComparison.Ordinal);
    }

    /// <summary>What the agent writes is what every reader takes back: one contract, written and parsed by the same records.</summary>
    [Fact]
    public void StatusDocument_RoundTrips_AndKeepsTheFieldNamesReadersUse()
    {
        var path = WriteStatus();
        var text = File.ReadAllText(path);

        var read = StatusDocument.Parse(text);

        Assert.Equal(text, read.ToJsonText());
        var json = JsonNode.Parse(text)!;
        Assert.Equal(["version", "node", "configPath", "source", "pid", "startedAt", "loadedAt", "instances", "conditions", "degraded",
            "addressDriftCounts", "addressDrift", "vrrpScripts", "realServers", "drift", "peers", "rollout"], json.AsObject().Select(p => p.Key));
        Assert.Equal("Master", (string?)json["instances"]![0]!["state"]);
        Assert.Equal(3L, read.Instances[0].Dropped["authenticationMismatch"]);
        Assert.Equal("refused", read.Source.LastOutcome);
    }

    /// <summary>The status carries its format; a newer one (an agent upgraded beside this vigil) is refused, never misread.</summary>
    [Fact]
    public void Status_OfANewerFormat_IsRefusedWithWhy()
    {
        var path = WriteStatus(Environment.ProcessId); // as a restarted agent finds its own earlier file
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(AgentStatus.FormatVersion, (int?)document["version"]);
        Assert.NotNull(AgentStatus.LeftBy(path));
        document["version"] = AgentStatus.FormatVersion + 1;
        File.WriteAllText(path, document.ToJsonString());

        var run = CliRun.Of("status", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"status format {AgentStatus.FormatVersion + 1} was written by a newer vigil; this one reads format {AgentStatus.FormatVersion}", run.Error, StringComparison.Ordinal);
        Assert.Null(AgentStatus.LeftBy(path)); // nothing resumed from a file it cannot read
    }

    [Fact]
    public void Status_NoFile_ExitsOneAndSaysSo()
    {
        var run = CliRun.Of("status", Path.Combine(_directory, "none.json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no agent status found", run.Error, StringComparison.Ordinal);
    }

    /// <summary>A status file outlives a crashed agent, and its pid may be another process's now: never taken for the agent, never signalled.</summary>
    [Fact]
    public void StatusFileWhosePidIsAnotherProcess_IsStale_AndReconcileDoesNotSignalIt()
    {
        using var other = new StandInAgent(asAgent: false);
        var path = WriteStatus(other.Id);

        var status = CliRun.Of("status", path, "--output", "json");
        var reconcile = CliRun.Of("reconcile", "--status-file", path, "--timeout", "1");

        Assert.False((bool)JsonNode.Parse(status.Output)!.AsArray()[0]!["running"]!);
        Assert.Equal(1, reconcile.ExitCode);
        Assert.Contains("no running agent found", reconcile.Error, StringComparison.Ordinal);
        Assert.False(other.HasExited, "the process that now holds the pid was signalled (SIGUSR1 ends a process that does not handle it)");
    }

    [Theory]
    [InlineData(true, "/usr/bin/vigil", "agent", "--node", "ka1")]
    [InlineData(true, "/usr/bin/dotnet", "/opt/vigil/vigil.dll", "agent")]
    [InlineData(false, "/usr/bin/vigil", "status")]
    [InlineData(false, "/bin/sleep", "60")]
    public void AgentCommandLine_IsVigilThenAgent(bool expected, params string[] arguments) =>
        Assert.Equal(expected, AgentStatus.IsAgentCommandLine(arguments));
}
