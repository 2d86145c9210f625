using System.Net;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Core.Tests.Planning;
using Vigil.Netlink.Ipvs;

namespace Vigil.Ipvs.Tests;

/// <summary>Plans applied to the real kernel reach the desired table and then plan nothing.</summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class ConvergenceTests
{
    [Fact]
    public void RandomDesired_FromRandomObserved_ConvergesInTheKernel()
    {
        using var guest = new IpvsGuest();
        for (var seed = 0; seed < 40; seed++)
        {
            var tables = new RandomIpvsTables(seed);
            var start = tables.Next();
            var desired = tables.Next();
            guest.Client.Flush();
            Assert.True(IpvsApplier.Apply(guest.Client, IpvsPlanner.Plan(start, IpvsTable.Empty)).Succeeded, $"seed {seed}: programming the start");

            var result = IpvsApplier.Apply(guest.Client, IpvsPlanner.Plan(desired, guest.Client.Read()));

            Assert.True(result.Succeeded, $"seed {seed}: " + string.Join("\n", result.Failed.Select(f => f.Error)));
            var after = guest.Client.Read();
            Assert.True(RandomIpvsTables.SameTable(desired, after, out var difference), $"seed {seed}: {difference}");
            Assert.True(IpvsPlanner.Plan(desired, after).IsEmpty, $"seed {seed}: the plan after applying is not empty");
        }
    }

    [Fact]
    public void OneWeightOfTenThousandDestinations_IsTheOnlyRequestSent()
    {
        using var guest = new IpvsGuest();
        var servers = ThousandServices();
        var (_, first, remaining) = IpvsApplier.Converge(guest.Client, servers);
        Assert.True(first.Succeeded && remaining.IsEmpty);
        Assert.Equal(11_000, first.Applied.Count);
        var before = guest.Client.Read();

        var changed = servers.Select((s, i) => i != 500 ? s : s with
        {
            RealServers = [.. s.RealServers.Select((r, j) => j == 7 ? r with { Weight = 9 } : r)],
        }).ToList();
        var counting = new CountingKernel(guest.Client);
        var (plan, result, after) = IpvsApplier.Converge(counting, changed);

        var edit = Assert.IsType<EditDestination>(Assert.Single(plan.Changes));
        Assert.Equal("203.0.113.8:8080", edit.Key.ToString());
        Assert.Equal(1, counting.Requests);
        Assert.True(result.Succeeded && after.IsEmpty);
        // Everything else in the kernel is as it was.
        var now = guest.Client.Read();
        var differences = before.Services.SelectMany(s => s.Destinations.Select(d => (s.Key, d)))
            .Where(x => now.Find(x.Key)!.Destinations.Single(d => d.Key == x.d.Key).Settings != x.d.Settings)
            .ToList();
        var (service, destination) = Assert.Single(differences);
        Assert.Equal("TCP 198.51.100.100:1500", service.ToString());
        Assert.Equal(edit.Key, destination.Key);
    }

    internal static List<VirtualServerSpec> ThousandServices() => [.. Enumerable.Range(0, 1000).Select(s => new VirtualServerSpec
    {
        Address = IPAddress.Parse("198.51.100.100"),
        Port = 1000 + s,
        Scheduler = IpvsScheduler.Wrr,
        RealServers = [.. Enumerable.Range(0, 10).Select(d => new RealServerSpec { Address = IPAddress.Parse($"203.0.113.{d + 1}"), Port = 8080 })],
    })];

    /// <summary>The real kernel, with a count of the requests that reach it.</summary>
    private sealed class CountingKernel(IIpvsKernel kernel) : IIpvsKernel
    {
        public int Requests { get; private set; }

        public IpvsTable Read() => kernel.Read();

        public void Execute(IpvsChange change)
        {
            Requests++;
            kernel.Execute(change);
        }
    }
}
