using Serilog;
using Vigil.Agent;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// IPVS drift in the guest kernel: the lvs-dr example applied, then changed by hand with ipvsadm. The agent's drift
/// check reports each difference; in correct mode it puts the table back, as ipvsadm then shows.
/// </summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class DriftTests
{
    [Theory]
    [InlineData(DriftMode.Report)]
    [InlineData(DriftMode.Correct)]
    public void ChangedByHand_IsReported_AndCorrectedInCorrectMode(DriftMode mode)
    {
        using var guest = new IpvsGuest();
        var loaded = new DesiredStateLoader().LoadPath(Path.Combine(RepoPaths.Examples, "lvs-dr")).State!;
        var ka1 = NodeProjection.For(loaded, "ka1");
        Assert.True(IpvsApplier.Converge(guest.Client, ka1.VirtualServers.Select(v => v.Spec)).Remaining.IsEmpty);
        var applied = guest.Ipvsadm("-Sn");
        guest.Ipvsadm("-a", "-t", "198.51.100.100:80", "-r", "198.51.100.29:80", "-g", "-w", "1");
        guest.Ipvsadm("-e", "-t", "198.51.100.100:80", "-r", "198.51.100.21:80", "-g", "-w", "5");
        var log = new LoggerConfiguration().CreateLogger();
        using var kernel = new NodeKernel(log);
        using var agent = new NodeAgent(kernel.Ports, TimeProvider.System, log);
        var check = new DriftCheck(kernel, agent, log, mode);

        var report = check.Run(ka1, loaded.ClusterSpec, guest.Client);

        Assert.Equal(
            ["ipvs TCP 198.51.100.100:80: differs from the configuration, which needs: ~ destination 198.51.100.21:80 of TCP 198.51.100.100:80: weight 5 -> 1",
             "ipvs TCP 198.51.100.100:80: differs from the configuration, which needs: - destination 198.51.100.29:80 of TCP 198.51.100.100:80"],
            report.Items.Select(i => $"{i.Subject}: {i.Detail}"));
        Assert.All(report.Items, i => Assert.Equal(DriftKind.IpvsDiffers, i.Kind));
        if (mode == DriftMode.Correct)
        {
            Assert.Equal(2, report.Corrected.Count);
            Assert.Equal(applied, guest.Ipvsadm("-Sn"));
            Assert.Empty(check.Run(ka1, loaded.ClusterSpec, guest.Client).Items);
        }
        else
        {
            Assert.Empty(report.Corrected);
            Assert.Contains("-a -t 198.51.100.100:80 -r 198.51.100.29:80 -g -w 1", guest.Ipvsadm("-Sn"), StringComparison.Ordinal);
        }
    }
}
