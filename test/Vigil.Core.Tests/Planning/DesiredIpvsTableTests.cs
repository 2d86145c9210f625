using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

public sealed class DesiredIpvsTableTests
{
    private static RealServerSpec Real(int host, int weight = 1, bool inhibit = false) =>
        new() { Address = IPAddress.Parse($"198.51.100.{host}"), Weight = weight, InhibitOnFailure = inhibit };

    private static VirtualServerSpec Web(params RealServerSpec[] reals) => new()
    {
        Address = IPAddress.Parse("198.51.100.100"),
        Port = 80,
        Scheduler = IpvsScheduler.Rr,
        Forwarding = IpvsForwarding.Dr,
        RealServers = [.. reals],
    };

    private static RealServerHealthLookup Down(params int[] hosts) =>
        (_, real) => hosts.Any(h => real.Address.Equals(IPAddress.Parse($"198.51.100.{h}"))) ? RealServerHealth.Failed : RealServerHealth.Healthy;

    private static IpvsService Only(IpvsTable table) => Assert.Single(table.Services);

    private static string Pool(IpvsService service) => string.Join(" ", service.Destinations.Select(d => $"{d.Key.Address.GetAddressBytes()[3]}:{d.Settings.Weight}"));

    [Fact]
    public void Build_SettingsFromTheSpec_KeyedAsTheKernelKeysThem()
    {
        var spec = Web(Real(21)) with
        {
            Scheduler = IpvsScheduler.Sh,
            SchedulerFlags = [SchedulerFlag.Port, SchedulerFlag.Fallback],
            Persistence = new PersistenceSpec { Timeout = TimeSpan.FromSeconds(300), Netmask = "255.255.255.0" },
        };

        var service = Only(DesiredIpvsTable.Build([spec], IpvsTable.Empty));

        Assert.Equal("TCP 198.51.100.100:80", service.Key.ToString());
        Assert.Equal(new IpvsServiceSettings("sh", IpvsServiceFlags.Persistent | IpvsServiceFlags.Scheduler1 | IpvsServiceFlags.Scheduler2, 300, 24), service.Settings);
        Assert.Equal(new IpvsDestinationSettings(IpvsForwarding.Dr, 1), Assert.Single(service.Destinations).Settings);
    }

    [Fact]
    public void Build_FwmarkService_IsKeyedByMarkAndFamily_WithTcpAsTheKernelStoresIt()
    {
        var spec = new VirtualServerSpec { Fwmark = 9, Family = IpFamily.IPv6, Protocol = IpvsProtocol.Udp };

        Assert.Equal(IpvsServiceKey.ForFwmark(IpFamily.IPv6, 9), Only(DesiredIpvsTable.Build([spec], IpvsTable.Empty)).Key);
        Assert.Equal(128, Only(DesiredIpvsTable.Build([spec], IpvsTable.Empty)).Settings.NetmaskPrefix);
    }

    [Fact]
    public void Build_FailedServer_LeavesThePool_OrStaysAtWeightZeroWhenInhibited()
    {
        var table = DesiredIpvsTable.Build([Web(Real(21, 3), Real(22, 3, inhibit: true), Real(23, 2))], IpvsTable.Empty, Down(21, 22));

        Assert.Equal("22:0 23:2", Pool(Only(table)));
    }

    [Fact]
    public void Build_DynamicWeightFromACheck_WinsOverTheConfiguredWeight()
    {
        var table = DesiredIpvsTable.Build([Web(Real(21, 3))], IpvsTable.Empty, (_, _) => new RealServerHealth(true, 7));

        Assert.Equal("21:7", Pool(Only(table)));
    }

    [Fact]
    public void Build_QuorumLost_SorryServerReplacesThePool_AndHysteresisHoldsItUntilWellAbove()
    {
        var spec = Web(Real(21, 1), Real(22, 1, inhibit: true), Real(23, 1)) with
        {
            Quorum = 3,
            Hysteresis = 1,
            SorryServer = new SorryServerSpec { Address = IPAddress.Parse("198.51.100.99") },
        };

        // All up (3 >= 3 - 1): the pool.
        var healthy = DesiredIpvsTable.Build([spec], IpvsTable.Empty);
        Assert.Equal("21:1 22:1 23:1", Pool(Only(healthy)));
        // Two fail (1 < 3 - 1): the sorry server, the live inhibited server at weight 0, the other live one removed.
        var lost = DesiredIpvsTable.Build([spec], healthy, Down(21, 23));
        Assert.Equal("22:0 99:1", Pool(Only(lost)));
        // One comes back (2 < 3 + 1): still below the upper edge of the band, the sorry server stays.
        var oneBack = DesiredIpvsTable.Build([spec], lost, Down(23));
        Assert.Equal("22:0 99:1", Pool(Only(oneBack)));
        // The same health seen from a kernel that had quorum keeps it (2 >= 3 - 1): hysteresis, not a flap.
        Assert.Equal("21:1 22:1", Pool(Only(DesiredIpvsTable.Build([spec], healthy, Down(23)))));
        // All back (3 < 4): still sorry; quorum 2 with hysteresis 1 would need 3: back to the pool.
        var relaxed = spec with { Quorum = 2 };
        Assert.Equal("21:1 22:1 23:1", Pool(Only(DesiredIpvsTable.Build([relaxed], lost))));
    }

    [Fact]
    public void Build_QuorumLostWithoutSorryServer_KeepsWhatIsAlive()
    {
        var spec = Web(Real(21), Real(22)) with { Quorum = 2 };

        Assert.Equal("22:1", Pool(Only(DesiredIpvsTable.Build([spec], IpvsTable.Empty, Down(21)))));
    }

    private static VirtualServerSpec Group(IpvsForwarding forwarding, params RealServerSpec[] reals) => new()
    {
        Group = new VirtualServerGroupSpec
        {
            Name = "web",
            Members =
            [
                new GroupMemberSpec { Address = IPAddress.Parse("198.51.100.100"), Port = 80 },
                new GroupMemberSpec { Address = IPAddress.Parse("198.51.100.101"), LastAddress = IPAddress.Parse("198.51.100.102"), Port = 443 },
                new GroupMemberSpec { Fwmark = 7 },
            ],
        },
        Scheduler = IpvsScheduler.Rr,
        Forwarding = forwarding,
        SorryServer = new SorryServerSpec { Address = IPAddress.Parse("198.51.100.30") },
        Quorum = 2,
        RealServers = [.. reals],
    };

    private static string Pools(IpvsTable table) => string.Join("; ", table.Services.Select(s =>
        $"{s.Key} " + string.Join(" ", s.Destinations.Select(d => $"{d.Key.Address.GetAddressBytes()[3]}:{d.Key.Port}"))));

    [Fact]
    public void Build_Group_IsOneServicePerAddressAndMark_WithOnePool()
    {
        var nat = DesiredIpvsTable.Build([Group(IpvsForwarding.Nat, Real(21) with { Port = 8080 }, Real(22), Real(23))], IpvsTable.Empty);

        // NAT: a server's own port, else each service's (a fwmark's is none: the group's ports differ).
        Assert.Equal("TCP 198.51.100.100:80 21:8080 22:80 23:80; TCP 198.51.100.101:443 21:8080 22:443 23:443; "
            + "TCP 198.51.100.102:443 21:8080 22:443 23:443; FWM 7 21:8080 22:0 23:0", Pools(nat));

        // DR and TUN: the member's port, whatever the server says.
        var dr = DesiredIpvsTable.Build([Group(IpvsForwarding.Dr, Real(21) with { Port = 8080 }, Real(22))], IpvsTable.Empty);
        Assert.Equal("TCP 198.51.100.100:80 21:80 22:80; TCP 198.51.100.101:443 21:443 22:443; TCP 198.51.100.102:443 21:443 22:443; FWM 7 21:0 22:0", Pools(dr));
    }

    [Fact]
    public void Build_Group_OneServersHealth_MovesEveryService_AndQuorumLostBringsTheSorryServerToAll()
    {
        var spec = Group(IpvsForwarding.Dr, Real(21), Real(22));

        Assert.All(DesiredIpvsTable.Build([spec with { Quorum = 1 }], IpvsTable.Empty, Down(21)).Services,
            s => Assert.Equal(22, Assert.Single(s.Destinations).Key.Address.GetAddressBytes()[3]));
        Assert.Equal("TCP 198.51.100.100:80 30:80; TCP 198.51.100.101:443 30:443; TCP 198.51.100.102:443 30:443; FWM 7 30:0",
            Pools(DesiredIpvsTable.Build([spec], IpvsTable.Empty, Down(21))));
    }

    [Theory]
    [InlineData("198.51.100.10", "198.51.100.12", "198.51.100.10 198.51.100.11 198.51.100.12")]
    [InlineData("198.51.100.255", "198.51.101.1", "198.51.100.255 198.51.101.0 198.51.101.1")]
    [InlineData("2001:db8::ffff", "2001:db8::1:1", "2001:db8::ffff 2001:db8::1:0 2001:db8::1:1")]
    [InlineData("198.51.100.12", "198.51.100.10", "")]
    [InlineData("198.51.100.10", "2001:db8::1", "")]
    [InlineData("198.51.96.0", "198.51.100.0", "")]
    public void GroupMember_Addresses_FromFirstToLast(string first, string last, string expected) =>
        Assert.Equal(expected, string.Join(" ", new GroupMemberSpec { Address = IPAddress.Parse(first), LastAddress = IPAddress.Parse(last), Port = 80 }.Addresses()));
}

public sealed class PersistencePrefixTests
{
    [Theory]
    [InlineData(null, IpFamily.IPv4, 32)]
    [InlineData(null, IpFamily.IPv6, 128)]
    [InlineData("255.255.255.0", IpFamily.IPv4, 24)]
    [InlineData("255.255.255.255", IpFamily.IPv4, 32)]
    [InlineData("0.0.0.0", IpFamily.IPv4, 0)]
    [InlineData("255.0.255.0", IpFamily.IPv4, null)]
    [InlineData("64", IpFamily.IPv4, null)]
    [InlineData("64", IpFamily.IPv6, 64)]
    [InlineData("0", IpFamily.IPv6, null)]
    [InlineData("255.255.255.0", IpFamily.IPv6, null)]
    public void PrefixLength_OfEachForm(string? netmask, IpFamily family, int? expected) =>
        Assert.Equal(expected, new PersistenceSpec { Netmask = netmask }.PrefixLength(family));
}
