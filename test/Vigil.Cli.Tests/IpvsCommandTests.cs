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
