using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// Static routes and rules are kept whatever the state (until the agent stops, as keepalived clears them); an instance's virtual ones come with mastership and go with it;
/// a route marked as Vigil's that no revision asks for is removed, and anyone else's is never touched. On the agent
/// host with a fake kernel and fake time (the kernel side is NamespaceRouteTests' and RoutingApplierKernelTests').
/// </summary>
public sealed class RoutingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-routing-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly FakeKernel _kernel = new();
    private readonly AgentHostTests.MemoryRevisions _source = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SourceRevision Revision(string commit, string virtualRoutes, string staticAddresses = StaticAddress) => AgentHostTests.Revision(commit, $"""
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: vi_1
        spec:
          virtualRouterId: 51
          members:
            - node: ka1
              priority: 100
          virtualAddresses:
            - address: 198.51.100.100/24
        {virtualRoutes}
        """, node: $"""
        {staticAddresses}
              staticRoutes:
                - to: 203.0.113.0/26
                  via: 198.51.100.1
              staticRules:
                - from: 198.51.100.0/24
                  table: 100
                  priority: 1000
        """);

    private const string StaticAddress = """
              staticAddresses:
                - address: 198.51.100.60/24
                  dev: eth0
        """;

    private const string VirtualRoutes = """
          virtualRoutes:
            - to: 203.0.113.128/25
              src: 198.51.100.100
              table: 100
          virtualRules:
            - to: 203.0.113.128/25
              table: 100
              priority: 900
        """;

    private List<string> Routes() => [.. _kernel.Routing.Routes().Select(r => r.ToString()).Order(StringComparer.Ordinal)];

    private List<string> Rules() => [.. _kernel.Routing.Rules().Select(r => r.ToString()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task StaticRoutesStay_VirtualOnesFollowMastership_AndOnlyVigilsOwnAreRemoved()
    {
        var foreign = new KernelRoute(IPAddress.Parse("203.0.113.64"), 26, RouteType.Unicast, 254, 0, IPAddress.Parse("198.51.100.2"), 2, null, null, Protocol: 4);
        var leftOver = foreign with { Destination = IPAddress.Parse("203.0.113.192"), Protocol = RouteMessages.VigilProtocol };
        _kernel.Routing.Add(foreign);
        _kernel.Routing.Add(leftOver); // an earlier run's, which no revision asks for now
        _source.Next = Revision(new string('a', 40), VirtualRoutes);
        using var host = new AgentHost(new AgentOptions("ka1", Path.Combine(_directory, "ka1.json"), Path.Combine(_directory, "state")), _source,
            Serilog.Core.Logger.None, _kernel, _time);

        Assert.True(host.Start());

        const string Static = "203.0.113.0/26 via 198.51.100.1 table 254";
        const string StaticRule = "from 198.51.100.0/24 priority 1000 table 100";
        const string Virtual = "203.0.113.128/25 dev #2 src 198.51.100.100 table 100";
        const string VirtualRule = "to 203.0.113.128/25 priority 900 table 100";
        var foreignText = foreign.ToString();
        Assert.True(await Poll.Until(() => Routes().SequenceEqual([Static, foreignText])), string.Join(" | ", Routes()));
        Assert.Equal([StaticRule], Rules());
        Assert.Equal(["198.51.100.60"], _kernel.Held()); // keepalived's static_ipaddress, before any VIP

        _time.Advance(TimeSpan.FromSeconds(1)); // Master_Down_Interval runs out: master

        Assert.True(await Poll.Until(() => Routes().SequenceEqual([Static, Virtual, foreignText])), string.Join(" | ", Routes()));
        Assert.True(await Poll.Until(() => Rules().SequenceEqual([StaticRule, VirtualRule])), string.Join(" | ", Rules()));

        // Someone deletes the virtual route: the next drift check reports it and puts it back; the one after finds none.
        Assert.DoesNotContain(host.CheckDrift()!.Items, i => i.Subject == "routing");
        _kernel.Routing.Delete(_kernel.Routing.Routes().Single(r => r.ToString() == Virtual));
        var found = Assert.Single(host.CheckDrift()!.Items, i => i.Subject == "routing");
        Assert.Equal((Core.Planning.DriftKind.RoutingMissing, $"route {Virtual} is not on the kernel"), (found.Kind, found.Detail));
        Assert.True(await Poll.Until(() => Routes().Contains(Virtual)), string.Join(" | ", Routes()));
        Assert.DoesNotContain(host.CheckDrift()!.Items, i => i.Subject == "routing");

        // Someone deletes the static address: back after the drift check.
        _kernel.Table.Delete(_kernel.Table.Held().Single(a => a.Address.ToString() == "198.51.100.60"));
        host.CheckDrift();
        Assert.True(await Poll.Until(() => _kernel.Held().SequenceEqual(["198.51.100.100", "198.51.100.60"])), string.Join(" | ", _kernel.Held()));

        // A revision without virtual routes: they go at once, though the instance stays master.
        _source.Next = Revision(new string('b', 40), "");
        host.Reconcile(fromInterval: true);
        Assert.True(await Poll.Until(() => Routes().SequenceEqual([Static, foreignText]) && Rules().SequenceEqual([StaticRule])), string.Join(" | ", Routes()));

        // One without the static address: it goes, the VIP stays.
        _source.Next = Revision(new string('c', 40), "", staticAddresses: "");
        host.Reconcile(fromInterval: true);
        Assert.True(await Poll.Until(() => _kernel.Held().SequenceEqual(["198.51.100.100"])), string.Join(" | ", _kernel.Held()));
        _source.Next = Revision(new string('d', 40), "");
        host.Reconcile(fromInterval: true);
        Assert.True(await Poll.Until(() => _kernel.Held().SequenceEqual(["198.51.100.100", "198.51.100.60"])), string.Join(" | ", _kernel.Held()));

        // SIGTERM: keepalived clears its static entries too; anyone else's stay.
        host.Stop();
        Assert.Equal([foreignText], Routes());
        Assert.Empty(Rules());
        Assert.Empty(_kernel.Held());
    }
}
