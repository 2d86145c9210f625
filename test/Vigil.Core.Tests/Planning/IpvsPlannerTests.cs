using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

public sealed class IpvsPlannerTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.100"), 80);
    private static readonly IpvsServiceSettings Rr = new("rr", IpvsServiceFlags.None, 0, 32);

    private static IpvsDestination Destination(int host, int weight, IpvsForwarding forwarding = IpvsForwarding.Nat) =>
        new(new IpvsDestinationKey(IPAddress.Parse($"198.51.100.{host}"), 80), new IpvsDestinationSettings(forwarding, weight));

    private static IpvsTable Table(IpvsServiceSettings settings, params IpvsDestination[] destinations) =>
        new([new IpvsService(Web, settings) { Destinations = destinations }]);

    [Fact]
    public void Plan_SameTable_IsEmpty()
    {
        var table = Table(Rr, Destination(21, 1), Destination(22, 1));

        Assert.True(IpvsPlanner.Plan(table, Table(Rr, Destination(21, 1), Destination(22, 1))).IsEmpty);
    }

    [Fact]
    public void Plan_WeightChange_IsOneEditOfThatDestination()
    {
        var plan = IpvsPlanner.Plan(Table(Rr, Destination(21, 1), Destination(22, 5)), Table(Rr, Destination(21, 1), Destination(22, 1)));

        var edit = Assert.IsType<EditDestination>(Assert.Single(plan.Changes));
        Assert.Equal(Destination(22, 5).Key, edit.Key);
        Assert.Equal("~ destination 198.51.100.22:80 of TCP 198.51.100.100:80: weight 1 -> 5", edit.ToString());
    }

    [Fact]
    public void Plan_SchedulerOrPersistenceChange_IsOneEditOfTheService_NeverARecreate()
    {
        var persistent = new IpvsServiceSettings("wlc", IpvsServiceFlags.Persistent, 300, 24);

        var plan = IpvsPlanner.Plan(Table(persistent, Destination(21, 1)), Table(Rr, Destination(21, 1)));

        var edit = Assert.IsType<EditService>(Assert.Single(plan.Changes));
        Assert.Equal("~ service TCP 198.51.100.100:80: scheduler rr -> scheduler wlc, persistent 300s /24", edit.ToString());
    }

    [Fact]
    public void Plan_ForwardingChange_EditsTheDestinationInPlace()
    {
        var plan = IpvsPlanner.Plan(Table(Rr, Destination(21, 1, IpvsForwarding.Dr)), Table(Rr, Destination(21, 1)));

        Assert.IsType<EditDestination>(Assert.Single(plan.Changes));
    }

    [Fact]
    public void Plan_OrdersMakeBeforeBreak_AddsThenEditsThenDeletes()
    {
        var other = IpvsServiceKey.ForFwmark(IpFamily.IPv4, 7);
        var observed = new IpvsTable([
            new IpvsService(Web, Rr) { Destinations = [Destination(21, 1), Destination(22, 1)] },
            new IpvsService(other, Rr),
        ]);
        var desired = Table(Rr, Destination(22, 2), Destination(23, 1));

        var plan = IpvsPlanner.Plan(desired, observed);

        Assert.Equal(
            ["+ destination 198.51.100.23:80", "~ destination 198.51.100.22:80", "- destination 198.51.100.21:80", "- service FWM 7"],
            plan.Changes.Select(c => $"{IpvsChange.Sign(c.Action)} {c.Subject} {c.Destination?.ToString() ?? c.Service.ToString()}"));
    }

    [Fact]
    public void Plan_NewService_ComesWithItsDestinations_AndADeletedServiceTakesItsOwn()
    {
        var plan = IpvsPlanner.Plan(Table(Rr, Destination(21, 1)), IpvsTable.Empty);
        Assert.Equal([typeof(AddService), typeof(AddDestination)], plan.Changes.Select(c => c.GetType()));

        var removal = IpvsPlanner.Plan(IpvsTable.Empty, Table(Rr, Destination(21, 1), Destination(22, 1)));
        Assert.IsType<DeleteService>(Assert.Single(removal.Changes));
    }

    /// <summary>kube-proxy's or Docker's services in the same table are never Vigil's to remove; those Vigil made are.</summary>
    [Fact]
    public void Plan_ServiceNotInTheConfiguration_IsRemovedOnlyWhenVigilMadeIt()
    {
        var foreign = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("203.0.113.50"), 443);
        var observed = new IpvsTable([new IpvsService(Web, Rr), new IpvsService(foreign, Rr)]);

        var notOurs = IpvsPlanner.Plan(IpvsTable.Empty, observed, IpvsOwnership.Of([Web]));
        var nothingOwned = IpvsPlanner.Plan(IpvsTable.Empty, observed, IpvsOwnership.Of([]));

        Assert.Equal(Web, Assert.IsType<DeleteService>(Assert.Single(notOurs.Changes)).Service);
        Assert.True(nothingOwned.IsEmpty);
    }

    [Fact]
    public void Ownership_AfterApplying_IsTheDesiredServices_AndWhatItOwnedThatIsStillThere()
    {
        var gone = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("203.0.113.51"), 80);
        var stuck = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("203.0.113.52"), 80);
        var foreign = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("203.0.113.50"), 443);

        var after = IpvsOwnership.Of([gone, stuck]).After(Table(Rr), new IpvsTable([new IpvsService(Web, Rr), new IpvsService(stuck, Rr), new IpvsService(foreign, Rr)]));

        Assert.Equal(new[] { Web, stuck }.OrderBy(k => k.ToString(), StringComparer.Ordinal), after.Services);
    }

    [Fact]
    public void Plan_OneOfTenThousandDestinationsReweighted_TouchesExactlyThatOne()
    {
        static IpvsTable Big(int changedWeight) => new(Enumerable.Range(0, 1000).Select(s =>
            new IpvsService(IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.100"), (ushort)(1000 + s)), Rr)
            {
                Destinations = [.. Enumerable.Range(0, 10).Select(d => new IpvsDestination(
                    new IpvsDestinationKey(IPAddress.Parse($"203.0.113.{d + 1}"), 8080),
                    new IpvsDestinationSettings(IpvsForwarding.Nat, s == 500 && d == 7 ? changedWeight : 1)))],
            }));

        var plan = IpvsPlanner.Plan(Big(9), Big(1));

        var edit = Assert.IsType<EditDestination>(Assert.Single(plan.Changes));
        Assert.Equal("TCP 198.51.100.100:1500", edit.Service.ToString());
        Assert.Equal("203.0.113.8:8080", edit.Key.ToString());
    }

    [Fact]
    public void Plan_AnyDesiredFromAnyObserved_ReachesDesired_ThenPlansNothing()
    {
        for (var seed = 0; seed < 500; seed++)
        {
            var tables = new RandomIpvsTables(seed);
            var observed = tables.Next();
            var desired = tables.Next();

            var plan = IpvsPlanner.Plan(desired, observed);
            var reached = plan.ApplyTo(observed);

            Assert.True(RandomIpvsTables.SameTable(desired, reached, out var difference), $"seed {seed}: {difference}");
            Assert.True(IpvsPlanner.Plan(desired, reached).IsEmpty, $"seed {seed}: a second plan is not empty");
            // Minimal: never more requests than services and destinations that differ, and no delete of a kept endpoint.
            Assert.DoesNotContain(plan.Changes, c => c is DeleteService d && desired.Find(d.Service) is not null);
            Assert.DoesNotContain(plan.Changes, c => c is DeleteDestination d && desired.Find(d.Service)!.Destinations.Any(x => x.Key == d.Key));
        }
    }
}
