using System.Net;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Core.Tests.Planning;

namespace Vigil.Ipvs.Tests;

/// <summary>Vigil's netlink code and ipvsadm, an independent implementation, agree on what is in the kernel.</summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class RoundTripTests
{
    private static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];

    private static IpvsDestination Destination(string address, ushort port, IpvsForwarding forwarding, int weight, uint upper = 0, uint lower = 0) =>
        new(new IpvsDestinationKey(IPAddress.Parse(address), port), new IpvsDestinationSettings(forwarding, weight, upper, lower));

    /// <summary>Every scheduler, every forwarding method, UDP/SCTP, IPv6, fwmark (both families), persistence, flags, thresholds.</summary>
    private static IpvsTable EverythingTable()
    {
        var services = Schedulers.Select((scheduler, i) => new IpvsService(
            IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.1"), (ushort)(8000 + i)),
            new IpvsServiceSettings(scheduler, IpvsServiceFlags.None, 0, 32))
        {
            Destinations =
            [
                Destination("198.51.100.11", 8080, IpvsForwarding.Nat, i),
                Destination("198.51.100.12", (ushort)(8000 + i), IpvsForwarding.Dr, 1),
                Destination("198.51.100.13", (ushort)(8000 + i), IpvsForwarding.Tun, 2),
            ],
        }).ToList();
        services.AddRange(
        [
            new IpvsService(IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.2"), 80),
                new IpvsServiceSettings("sh", IpvsServiceFlags.Persistent | IpvsServiceFlags.Scheduler1 | IpvsServiceFlags.Scheduler2, 300, 24))
            {
                Destinations = [Destination("198.51.100.11", 80, IpvsForwarding.Nat, 3, upper: 100, lower: 10)],
            },
            new IpvsService(IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("198.51.100.2"), 53),
                new IpvsServiceSettings("rr", IpvsServiceFlags.OnePacket, 0, 32))
            {
                Destinations = [Destination("198.51.100.12", 53, IpvsForwarding.Tun, 1)],
            },
            new IpvsService(IpvsServiceKey.ForAddress(IpvsProtocol.Sctp, IPAddress.Parse("198.51.100.2"), 9), new IpvsServiceSettings("wlc", IpvsServiceFlags.None, 0, 32)),
            new IpvsService(IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("2001:db8::1"), 443),
                new IpvsServiceSettings("wlc", IpvsServiceFlags.Persistent, 60, 64))
            {
                Destinations = [Destination("2001:db8::11", 8443, IpvsForwarding.Nat, 1), Destination("2001:db8::12", 443, IpvsForwarding.Dr, 0)],
            },
            new IpvsService(IpvsServiceKey.ForFwmark(IpFamily.IPv4, 7), new IpvsServiceSettings("mh", IpvsServiceFlags.Scheduler2, 0, 32))
            {
                Destinations = [Destination("198.51.100.13", 0, IpvsForwarding.Dr, 1)],
            },
            new IpvsService(IpvsServiceKey.ForFwmark(IpFamily.IPv6, 8), new IpvsServiceSettings("rr", IpvsServiceFlags.None, 0, 128))
            {
                Destinations = [Destination("2001:db8::13", 0, IpvsForwarding.Dr, 4)],
            },
        ]);
        return new IpvsTable(services);
    }

    [Fact]
    public void ProgrammedByVigil_IpvsadmAndVigilReadBackTheSameTable()
    {
        using var guest = new IpvsGuest();
        var table = EverythingTable();

        var result = IpvsApplier.Apply(guest.Client, IpvsPlanner.Plan(table, IpvsTable.Empty));

        Assert.True(result.Succeeded, string.Join("\n", result.Failed.Select(f => f.Error)));
        var byIpvsadm = IpvsadmRules.Parse(guest.Ipvsadm("-Sn"));
        Assert.True(RandomIpvsTables.SameTable(WithoutThresholds(table), byIpvsadm, out var difference), "ipvsadm -Sn: " + difference);
        Assert.Matches(@"198\.51\.100\.11:80\s+100\s+10\s", guest.Ipvsadm("-Ln", "--thresholds"));
        var byVigil = guest.Client.Read();
        Assert.True(RandomIpvsTables.SameTable(table, byVigil, out difference), "Vigil: " + difference);
        Assert.True(IpvsPlanner.Plan(table, byVigil).IsEmpty);
    }

    [Fact]
    public void ProgrammedByIpvsadm_VigilObservesTheSameTable()
    {
        using var guest = new IpvsGuest();
        var table = EverythingTable();

        guest.IpvsadmRestore(IpvsadmRules.Format(table));

        Assert.True(RandomIpvsTables.SameTable(table, guest.Client.Read(), out var difference), difference);
    }

    [Fact]
    public void Read_CarriesTheKernelsStatistics_AsIpvsadmShowsThem()
    {
        using var guest = new IpvsGuest();
        guest.IpvsadmRestore("-A -t 198.51.100.1:80 -s rr\n-a -t 198.51.100.1:80 -r 198.51.100.11:80 -m -w 1\n");

        var service = Assert.Single(guest.Client.Read().Services);

        // No traffic yet: all zero, as ipvsadm says; the data-path test checks counts after real connections.
        Assert.Equal(IpvsStats.Zero, service.Stats);
        Assert.Matches(@"TCP\s+198\.51\.100\.1:80\s+0\s+0\s+0\s+0\s+0", guest.Ipvsadm("-Ln", "--stats", "--exact"));
    }

    private static IpvsTable WithoutThresholds(IpvsTable table) => new(table.Services.Select(s => s with
    {
        Destinations = [.. s.Destinations.Select(d => d with { Settings = d.Settings with { UpperThreshold = 0, LowerThreshold = 0 } })],
    }));
}
