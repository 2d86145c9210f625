using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Validation;

public class VirtualServerRulesTests
{
    private static IReadOnlyList<Diagnostic> Check(params VirtualServerSpec[] servers) =>
        SemanticValidator.Validate(State(null, Instance()) with { VirtualServers = [.. servers.Select((s, i) => Named($"vs{i}", s))] });

    [Fact]
    public void Web_IsClean() => Assert.Empty(Check(Web()));

    [Fact]
    public void BothAddressAndFwmark_IsAnError() =>
        Assert.Equal("address-or-fwmark", Assert.Single(Check(Web() with { Fwmark = 1 })).Rule);

    [Fact]
    public void Fwmark_WithAPort_IsAnError() =>
        Assert.Equal("fwmark-port", Assert.Single(Check(Web() with { Address = null, Fwmark = 1 })).Rule);

    [Fact]
    public void TheSameEndpoint_Twice_IsAnError()
    {
        var d = Assert.Single(Check(Web(), Web()));
        Assert.Equal("service-unique", d.Rule);
        Assert.StartsWith("198.51.100.100:80/TCP is already defined by VirtualServer 'vs0'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameEndpoint_WithAnotherProtocol_IsAllowed() => Assert.Empty(Check(Web(), Web() with { Protocol = IpvsProtocol.Udp }));

    [Fact]
    public void DirectRouting_ToAnotherPort_IsAnError()
    {
        var server = Web() with { RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), Port = 8080 }] };
        var d = Assert.Single(Check(server));
        Assert.Equal("spec.realServers[0].port", d.Field);
        Assert.Equal("DR forwarding cannot change the port: real server port 8080 differs from the virtual server's 80; use NAT or the same port", d.Message);
        Assert.Empty(Check(server with { Forwarding = IpvsForwarding.Nat }));
    }

    [Fact]
    public void DirectRouting_ToASorryServerOnAnotherPort_IsAnError()
    {
        var server = Web() with { SorryServer = new SorryServerSpec { Address = IPAddress.Parse("198.51.100.30"), Port = 8080 } };
        var d = Assert.Single(Check(server));
        Assert.Equal("spec.sorryServer.port", d.Field);
        Assert.Equal("DR forwarding cannot change the port: sorry server port 8080 differs from the virtual server's 80; use NAT or the same port", d.Message);
        Assert.Empty(Check(server with { Forwarding = IpvsForwarding.Nat }));
        Assert.Empty(Check(server with { SorryServer = server.SorryServer with { Port = null } }));
    }

    [Fact]
    public void SchedulerFlags_OnlyWithShOrMh()
    {
        var d = Assert.Single(Check(Web() with { SchedulerFlags = [SchedulerFlag.Port] }));
        Assert.Equal(("spec.schedulerFlags", "schedulerFlags apply to the sh and mh schedulers only, not wlc"), (d.Field, d.Message));
        Assert.Empty(Check(Web() with { Scheduler = IpvsScheduler.Mh, SchedulerFlags = [SchedulerFlag.Port, SchedulerFlag.Fallback] }));
    }

    [Fact]
    public void OnePacket_OnlyWithUdp()
    {
        Assert.Equal("one-packet-udp", Assert.Single(Check(Web() with { OnePacket = true })).Rule);
        Assert.Empty(Check(Web() with { OnePacket = true, Protocol = IpvsProtocol.Udp }));
    }

    [Fact]
    public void LowerThreshold_AboveUpper_IsAnError()
    {
        var real = new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), UpperThreshold = 10, LowerThreshold = 20 };
        var d = Assert.Single(Check(Web() with { RealServers = [real] }));
        Assert.Equal(("spec.realServers[0].lowerThreshold", "lowerThreshold 20 is above upperThreshold 10"), (d.Field, d.Message));
        Assert.Empty(Check(Web() with { RealServers = [real with { LowerThreshold = 5 }] }));
    }

    [Fact]
    public void RealServer_ListedTwice_IsAnError()
    {
        var real = new RealServerSpec { Address = IPAddress.Parse("198.51.100.21") };
        var d = Assert.Single(Check(Web() with { RealServers = [real, real with { Port = 80 }] }));
        Assert.Equal("realserver-unique", d.Rule);
        Assert.Equal("spec.realServers[1].address", d.Field);
    }

    [Theory]
    [InlineData("200-299 301", null)]
    [InlineData("200-199", "'200-199' is not a status code (100-599) or a range of them (200-299)")]
    [InlineData("2xx", "'2xx' is not a status code (100-599) or a range of them (200-299)")]
    [InlineData("600", "'600' is not a status code (100-599) or a range of them (200-299)")]
    public void HttpStatusCodes_AreKeepalivedsCodesAndRanges(string codes, string? error)
    {
        RealServerSpec Real(HttpCheckSpec http) => new() { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = new HealthCheckSpec { HttpGet = http } };
        var found = Check(Web() with { RealServers = [Real(new HttpCheckSpec { StatusCodes = codes }), Real(new HttpCheckSpec { Urls = [new HttpUrlSpec { StatusCodes = codes }] }) with { Address = IPAddress.Parse("198.51.100.22") }] });
        Assert.Equal(error is null ? [] : [("spec.realServers[0].healthCheck.httpGet.statusCodes", error), ("spec.realServers[1].healthCheck.httpGet.urls[0].statusCodes", error)],
            found.Select(d => (d.Field, d.Message)));
    }

    [Fact]
    public void Urls_BesideTheOneUrlFields_IsAnError()
    {
        var http = new HttpCheckSpec { Path = "/health", Urls = [new HttpUrlSpec { Path = "/a" }] };
        var d = Assert.Single(Check(Web() with { RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = new HealthCheckSpec { HttpGet = http } }] }));
        Assert.Equal(("spec.realServers[0].healthCheck.httpGet.urls", "urls is set: give path, status codes and digest in each of urls[], not beside it"), (d.Field, d.Message));
    }

    [Fact]
    public void HealthCheck_WithTwoProbesOrNone_IsAnError()
    {
        var two = new HealthCheckSpec { Tcp = new TcpCheckSpec(), HttpGet = new HttpCheckSpec() };
        var d = Assert.Single(Check(Web() with { RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = two }] }));
        Assert.Equal("a check has tcp and httpGet: one probe per check (several checks go in healthChecks)", d.Message);
        var none = Assert.Single(Check(Web() with { RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = new HealthCheckSpec() }] }));
        Assert.Equal("a check needs one of tcp, httpGet, sslGet, misc, dns, smtp, udp, ping, file", none.Message);
    }

    [Fact]
    public void Quorum_AboveTheTotalWeight_Warns()
    {
        var d = Assert.Single(Check(Web() with { Quorum = 3 }));
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Equal("quorum 3 is above the total weight 2 of all real servers: the service never has quorum", d.Message);
    }

    [Theory]
    [InlineData("255.255.255.0", true)]
    [InlineData("255.0.255.0", false)]
    [InlineData("24", false)]
    public void PersistenceNetmask_MustBeAContiguousMask(string netmask, bool valid)
    {
        var server = Web() with { Persistence = new PersistenceSpec { Netmask = netmask } };
        Assert.Equal(valid, Check(server).Count == 0);
    }

    private static VirtualServerSpec Grouped(params GroupMemberSpec[] members) => Web() with
    {
        Address = null,
        Port = null,
        Group = new VirtualServerGroupSpec { Name = "web", Members = [.. members] },
    };

    private static GroupMemberSpec Member(string address, int? port = 80, string? last = null) =>
        new() { Address = IPAddress.Parse(address), Port = port, LastAddress = last is null ? null : IPAddress.Parse(last) };

    [Fact]
    public void Group_IsClean() => Assert.Empty(Check(Grouped(Member("198.51.100.100"), Member("198.51.100.101", last: "198.51.100.110"), new GroupMemberSpec { Fwmark = 3 })));

    [Fact]
    public void Group_WithAnAddressToo_IsAnError() =>
        Assert.Equal("address-or-fwmark", Assert.Single(Check(Grouped(Member("198.51.100.100")) with { Address = IPAddress.Parse("198.51.100.100") })).Rule);

    [Theory]
    [InlineData("198.51.100.101", null, null, "spec.group.members[1].port", "group member 198.51.100.101 needs a port")]
    [InlineData("198.51.100.110", 80, "198.51.100.101", "spec.group.members[1].lastAddress", "198.51.100.110-198.51.100.101 is not a range of at most 1024 addresses of one family, first to last")]
    [InlineData("198.51.100.101", 80, "2001:db8::1", "spec.group.members[1].lastAddress", "198.51.100.101-2001:db8::1 is not a range of at most 1024 addresses of one family, first to last")]
    [InlineData("2001:db8::1", 80, null, "spec.group.members[1].address", "group member 2001:db8::1 is not IPv4 like the group's first address")]
    public void Group_BadMember_IsAnError_NamingIt(string address, int? port, string? last, string field, string message)
    {
        var d = Assert.Single(Check(Grouped(Member("198.51.100.100"), Member(address, port, last))));
        Assert.Equal((field, message), (d.Field, d.Message));
    }

    [Fact]
    public void Group_OverlappingAnotherService_IsAnError()
    {
        var d = Assert.Single(Check(Web(), Grouped(Member("198.51.100.90", last: "198.51.100.120"))));
        Assert.Equal(("service-unique", "spec.group"), (d.Rule, d.Field));
        Assert.StartsWith("TCP 198.51.100.100:80 is already defined by VirtualServer 'vs0'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_OfSeveralPorts_RealServerWithACheck_NeedsItsOwnPort()
    {
        var real = new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec() } };
        var server = Grouped(Member("198.51.100.100"), Member("198.51.100.101", port: 443)) with { Forwarding = IpvsForwarding.Nat, RealServers = [real] };
        var d = Assert.Single(Check(server));
        Assert.Equal(("spec.realServers[0].port", "real server 198.51.100.21 needs a port for its check: the group's addresses do not share one"), (d.Field, d.Message));
        Assert.Empty(Check(server with { RealServers = [real with { Port = 8080 }] }));
        Assert.Empty(Check(server with { RealServers = [real with { HealthCheck = null }] }));
        // A UDP datagram needs a port as a TCP connect does; a ping, or a check with its own port, does not.
        Assert.Single(Check(server with { RealServers = [real with { HealthCheck = new HealthCheckSpec { Udp = new UdpCheckSpec() } }] }));
        Assert.Empty(Check(server with { RealServers = [real with { HealthCheck = new HealthCheckSpec { Ping = new PingCheckSpec() } }] }));
        Assert.Empty(Check(server with { RealServers = [real with { HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec { Port = 22 } } }] }));
    }

    private static VirtualServerSpec Checked(HealthCheckSpec check) =>
        Web() with { RealServers = [new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = check }] };

    [Fact]
    public void CheckSource_OnAProbeThatConnects_IsClean() =>
        Assert.Empty(Check(Checked(new HealthCheckSpec { Tcp = new(), BindAddress = IPAddress.Parse("198.51.100.11"), BindPort = 40000, BindInterface = "eth0" })));

    [Theory]
    [InlineData("misc", "spec.realServers[0].healthCheck.bindAddress", "check-source")]
    [InlineData("v6", "spec.realServers[0].healthCheck.bindAddress", "family-mismatch")]
    [InlineData("link-local", "spec.realServers[0].healthCheck.connectIp", "link-local-interface")]
    public void CheckSource_ThatCannotApply_IsAnError(string what, string field, string rule)
    {
        var check = what switch
        {
            "misc" => new HealthCheckSpec { Misc = new MiscCheckSpec { Script = "/bin/true" }, BindAddress = IPAddress.Parse("198.51.100.11") },
            "v6" => new HealthCheckSpec { Tcp = new(), BindAddress = IPAddress.Parse("2001:db8::11") },
            _ => new HealthCheckSpec { Ping = new(), ConnectIp = IPAddress.Parse("fe80::21") },
        };
        var d = Assert.Single(Check(Checked(check)));
        Assert.Equal((field, rule), (d.Field, d.Rule));
    }
}
