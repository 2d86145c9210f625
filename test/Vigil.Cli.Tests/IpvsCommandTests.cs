using Vigil.Netlink;
using Vigil.Netlink.Generic;
using Vigil.Netlink.Ipvs;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

/// <summary>plan/apply on the host; their work against a kernel with IPVS is tested in Vigil.Ipvs.Tests (user-mode Linux).</summary>
public sealed class IpvsCommandTests
{
    private static readonly string Example = Path.Combine(RepoPaths.Examples, "lvs-dr");

    [Fact]
    public void PlanAndApply_OnAKernelWithoutIpvs_SayToLoadIpVs_AndFail()
    {
        using (var socket = NetlinkSocket.Open(NetlinkSocket.Generic))
        {
            if (GenericNetlinkMessages.ResolveFamily(socket, IpvsClient.FamilyName) is not null)
            {
                Skips.NotApplicable("this kernel has IPVS");
            }
        }

        foreach (var command in new[] { "plan", "apply" })
        {
            var run = CliRun.Of(command, "--config", Example, "--node", "ka1");
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("vigil: this kernel has no IPVS: load ip_vs", run.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>Two owners of one IPVS table would undo each other's work: while the node's agent runs, apply refuses.</summary>
    [Fact]
    public void Apply_WhileTheNodesAgentRuns_IsRefused_AndAStaleStatusFileIsNot()
    {
        using var agent = new StandInAgent();
        using var other = new StandInAgent(asAgent: false);
        var folder = Directory.CreateTempSubdirectory("vigil-apply-").FullName;
        try
        {
            var running = Path.Combine(folder, "running.json");
            var stale = Path.Combine(folder, "stale.json");
            File.WriteAllText(running, $$"""{ "node": "ka1", "pid": {{agent.Id}} }""");
            File.WriteAllText(stale, $$"""{ "node": "ka1", "pid": {{other.Id}} }""");

            var refused = CliRun.Of("apply", "--config", Example, "--node", "ka1", "--status-file", running, "--state-dir", folder);
            var tried = CliRun.Of("apply", "--config", Example, "--node", "ka1", "--status-file", stale, "--state-dir", folder);

            Assert.Equal(1, refused.ExitCode);
            Assert.StartsWith($"vigil: the agent for ka1 runs (pid {agent.Id}) and owns the IPVS table", refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("owns the IPVS table", tried.Error, StringComparison.Ordinal); // it went on to the kernel
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Plan_UsageErrorIsOne_BecauseTwoMeansChanges_AndHelpSaysSo()
    {
        Assert.Equal(1, CliRun.Of("plan", "--config", Example).ExitCode); // no --node
        Assert.Equal(2, CliRun.Of("apply", "--config", Example).ExitCode);
        Assert.Equal(1, CliRun.Of("plan", "--config", Example, "--node", "nosuch").ExitCode);

        var help = CliRun.Of("plan", "--help");
        Assert.Contains("0 no changes, 2 changes to make, 1 error", help.Output, StringComparison.Ordinal);
        Assert.Contains("--netns", help.Output, StringComparison.Ordinal);
    }
}
