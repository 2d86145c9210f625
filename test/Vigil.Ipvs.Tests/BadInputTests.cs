using System.Net;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Netlink.Ipvs;

namespace Vigil.Ipvs.Tests;

/// <summary>The kernel refuses: the error names the change and the errno, and the rest of the plan is accounted for.</summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class BadInputTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.100"), 80);
    private static readonly IpvsServiceKey Dns = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("198.51.100.100"), 53);
    private static readonly IpvsDestinationKey Real = new(IPAddress.Parse("198.51.100.21"), 80);

    [Fact]
    public void SchedulerTheKernelLacks_FailsThatService_SkipsItsDestinations_AppliesTheRest()
    {
        using var guest = new IpvsGuest();
        var desired = new IpvsTable(
        [
            new IpvsService(Web, new IpvsServiceSettings("nosuch", IpvsServiceFlags.None, 0, 32))
            {
                Destinations = [new IpvsDestination(Real, new IpvsDestinationSettings(IpvsForwarding.Nat, 1))],
            },
            new IpvsService(Dns, new IpvsServiceSettings("rr", IpvsServiceFlags.None, 0, 32)),
        ]);

        var result = IpvsApplier.Apply(guest.Client, IpvsPlanner.Plan(desired, IpvsTable.Empty));

        var failure = Assert.Single(result.Failed);
        Assert.Equal("+ service TCP 198.51.100.100:80: scheduler nosuch: ENOENT (no such entry): the kernel has no scheduler 'nosuch' (module ip_vs_nosuch)", failure.Error);
        Assert.IsType<AddDestination>(Assert.Single(result.Skipped));
        Assert.Equal(Dns, Assert.IsType<AddService>(Assert.Single(result.Applied)).Service);
        Assert.Equal("-A -u 198.51.100.100:53 -s rr", guest.Ipvsadm("-Sn").Trim());
    }

    [Fact]
    public void DuplicateService_IsRefusedWithEexist()
    {
        using var guest = new IpvsGuest();
        var add = new AddService(Web, new IpvsServiceSettings("rr", IpvsServiceFlags.None, 0, 32));
        guest.Client.Execute(add);

        var refused = Assert.Throws<IpvsException>(() => guest.Client.Execute(add));

        Assert.Equal(17, refused.Errno);
        Assert.EndsWith("EEXIST (already exists): the service already exists", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationOnAMissingService_IsRefusedNamingTheService()
    {
        using var guest = new IpvsGuest();

        var refused = Assert.Throws<IpvsException>(() => guest.Client.Execute(new AddDestination(Web, Real, new IpvsDestinationSettings(IpvsForwarding.Nat, 1))));

        Assert.Equal("+ destination 198.51.100.21:80 of TCP 198.51.100.100:80: NAT, weight 1: ESRCH (no such entry to act on): there is no service TCP 198.51.100.100:80", refused.Message);
        Assert.Empty(guest.Ipvsadm("-Sn").Trim());
    }
}
