using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

/// <summary>The plan between two revisions from plain values (the examples' goldens cover the CLI).</summary>
public sealed class ClusterPlannerTests
{
    [Fact]
    public void Between_SameState_NoChanges()
    {
        var state = TestStates.State(null, TestStates.Instance());

        Assert.True(ClusterPlanner.Between(state, state).IsEmpty);
    }

    [Fact]
    public void Between_OtherNodesPriority_MovesTheMaster_OnBothNodes()
    {
        var before = TestStates.State(null, TestStates.Instance());
        var after = TestStates.State(null, TestStates.Instance(ka2: 120));

        var plan = ClusterPlanner.Between(before, after);

        Assert.Equal("~ instance vi_1: master ka1 -> ka2", Assert.Single(plan.Nodes[0].Changes).ToString());
        Assert.Equal("~ instance vi_1: priority 80 -> 120 (master moves ka1 -> ka2)", Assert.Single(plan.Nodes[1].Changes).ToString());
    }

    [Fact]
    public void Between_NodeLeavesTheCluster_OneLineSaysWhatStops()
    {
        var before = TestStates.State(null, TestStates.Instance());
        var cluster = TestStates.Cluster() with { Nodes = [TestStates.Node("ka1", "198.51.100.11/24")] };
        var after = TestStates.State(cluster, TestStates.Instance() with { Members = [new VrrpMemberSpec { Node = "ka1", Priority = 100 }] });

        var plan = ClusterPlanner.Between(before, after);

        Assert.Equal(["ka1", "ka2"], plan.Nodes.Select(n => n.Node));
        Assert.Equal("- node ka2 (its 1 instance(s) and 0 virtual server(s) stop)", Assert.Single(plan.Nodes[1].Changes).ToString());
    }

    [Fact]
    public void Between_NoBase_EverythingIsAdded()
    {
        var plan = ClusterPlanner.Between(null, TestStates.State(null, TestStates.Instance()));

        Assert.Equal(["+ node ka1", "+ instance vi_1 (VRID 51 on eth0, priority 100, master)", "+ vip 198.51.100.100/24 on vi_1"],
            plan.Nodes[0].Changes.Select(c => c.ToString()));
    }

    [Fact]
    public void FieldChanges_NestedRecords_GivePaths()
    {
        var before = new RealServerSpec { HealthCheck = new HealthCheckSpec { Retry = 1, HttpGet = new HttpCheckSpec { Path = "/" } } };
        var after = before with { Weight = 3, HealthCheck = before.HealthCheck! with { HttpGet = new HttpCheckSpec { Path = "/health" } } };

        Assert.Equal([("weight", "1", "3"), ("healthCheck.httpGet.path", "/", "/health")], ClusterPlanner.FieldChanges(before, after));
    }
}
