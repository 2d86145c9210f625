using System.Net;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// A node that also runs kube-proxy or Docker has their IPVS services in the same table: Vigil converges its own and
/// leaves theirs alone (it once deleted every service the configuration did not name), yet still removes a service it
/// made once the configuration drops it. ipvsadm is the witness.
/// </summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class OwnershipTests
{
    [Fact]
    public void AnotherToolsService_SurvivesConvergence_AndAServiceVigilMadeGoesWhenTheConfigurationDropsIt()
    {
        using var guest = new IpvsGuest();
        guest.Ipvsadm("-A", "-t", "203.0.113.50:443", "-s", "rr");
        guest.Ipvsadm("-a", "-t", "203.0.113.50:443", "-r", "203.0.113.60:443", "-m");
        var web = new VirtualServerSpec
        {
            Address = IPAddress.Parse("198.51.100.100"),
            Port = 80,
            RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), Port = 80 }],
        };

        var first = IpvsApplier.Converge(guest.Client, [web], owned: IpvsOwnership.Of([]));
        var both = guest.Ipvsadm("-Ln");
        var second = IpvsApplier.Converge(guest.Client, [], owned: first.Owned);
        var after = guest.Ipvsadm("-Ln");

        Assert.True(first.Result.Succeeded && first.Remaining.IsEmpty);
        Assert.Contains("TCP  198.51.100.100:80", both, StringComparison.Ordinal);
        Assert.Contains("TCP  203.0.113.50:443", both, StringComparison.Ordinal);
        Assert.Equal(["TCP 198.51.100.100:80"], first.Owned.Services.Select(s => s.ToString()));
        Assert.True(second.Result.Succeeded && second.Remaining.IsEmpty);
        Assert.DoesNotContain("198.51.100.100:80", after, StringComparison.Ordinal);
        Assert.Contains("TCP  203.0.113.50:443", after, StringComparison.Ordinal);
        Assert.Contains("203.0.113.60:443", after, StringComparison.Ordinal);
        Assert.Empty(second.Owned.Services);
    }
}
