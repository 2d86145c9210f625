using System.Net;
using System.Text.Json.Nodes;
using Vigil.Agent;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Cli.Tests;

/// <summary>`vigil status` reads what an agent writes (<see cref="AgentStatus.WriteTo"/>), as text and as JSON.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-status-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteStatus()
    {
        var instance = new VirtualRouterStatus("vi_1", VrrpState.Master, 100, IPAddress.Parse("198.51.100.12"), At, "master down",
            42, 7, 1, new Dictionary<VrrpRejection, long> { [VrrpRejection.AuthenticationMismatch] = 3 });
        var removed = new AddressEvent(false, new InterfaceAddress(2, IPAddress.Parse("198.51.100.100"), 24, 0, null));
        var status = new AgentStatus("ka1", "/etc/vigil", Environment.ProcessId, At, At, [instance],
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
        Assert.DoesNotContain("stale status", run.Output, StringComparison.Ordinal); // this process wrote it and runs
        Assert.Matches(@"vi_1\s+Master\s+100 198\.51\.100\.12\s+42\s+7 ", run.Output);
        Assert.Contains("dropped authenticationMismatch=3", run.Output, StringComparison.Ordinal);
        Assert.Contains("drift: vipRemovedFromMaster x2, latest 198.51.100.100/24 removed (vi_1)", run.Output, StringComparison.Ordinal);
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
    }

    [Fact]
    public void Status_NoFile_ExitsOneAndSaysSo()
    {
        var run = CliRun.Of("status", Path.Combine(_directory, "none.json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no agent status found", run.Error, StringComparison.Ordinal);
    }
}
