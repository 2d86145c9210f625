using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

/// <summary>
/// The rollout order `vigil plan` prints per VRRP group, from the change-order table: a change of the adverts' form
/// (version, VRID, authentication, transport) reaches the backups first and the master last; a change that moves
/// mastership reaches the new master first; the rest may go in any order (backups first by convention).
/// </summary>
public sealed class RolloutOrderTests
{
    private static InstanceRollout Only(DesiredState before, DesiredState after) => Assert.Single(RolloutOrder.Between(before, after));

    public static TheoryData<string, VrrpInstanceSpec, ClusterSpec?, string> WireChanges => new()
    {
        { "VRID", TestStates.Instance(vrid: 53), null, "VRID 51 -> 53" },
        { "version", TestStates.Instance(), TestStates.Cluster(version: 3), "VRRP version 2 -> 3" },
        { "transport", TestStates.Instance() with { Transport = VrrpTransport.Unicast }, null, "transport multicast -> unicast" },
        { "authentication", TestStates.Instance() with { Authentication = new VrrpAuthenticationSpec { Password = "rollout1" } }, null, "authentication" },
        { "v2 interval", TestStates.Instance(), TestStates.Cluster(advert: "2s"), "VRRPv2 advert interval" },
    };

    [Theory]
    [MemberData(nameof(WireChanges))]
    public void AChangeOfTheAdvertsForm_GoesToTheBackupsFirst_TheMasterLast(string change, VrrpInstanceSpec after, ClusterSpec? cluster, string reason)
    {
        var rollout = Only(TestStates.State(null, TestStates.Instance()), TestStates.State(cluster, after));

        Assert.Equal(RolloutKind.WireFormat, rollout.Kind);
        Assert.Equal($"{reason}: backups first, the master last", rollout.Reason);
        string[] expected = ["1. ka2 (backup)", "2. ka1 (master, after ka2 has applied it and is ready)"];
        Assert.True(expected.SequenceEqual(rollout.Steps.Select(s => s.ToString())), $"{change}: {rollout}");
    }

    [Fact]
    public void AMastershipMove_GoesToTheNewMasterFirst()
    {
        var rollout = Only(TestStates.State(null, TestStates.Instance()), TestStates.State(null, TestStates.Instance(ka2: 110)));

        Assert.Equal(RolloutKind.Handover, rollout.Kind);
        Assert.Equal("vi_1 (master moves ka1 -> ka2: the new master first): 1. ka2 (backup, becomes master)  2. ka1 (master, after ka2 has applied it and is ready)",
            rollout.ToString());
    }

    [Fact]
    public void VipsAndPriorities_GoBackupsFirst_AndTheAdvertsFormWins()
    {
        var before = TestStates.State(null, TestStates.Instance());

        Assert.Equal(RolloutKind.AddressList, Only(before, TestStates.State(null, TestStates.Instance(vip: "198.51.100.101/24"))).Kind);
        Assert.Equal(RolloutKind.InPlace, Only(before, TestStates.State(null, TestStates.Instance(ka1: 90))).Kind);
        // A VRID change and a VIP change at once: the stricter order.
        Assert.Equal(RolloutKind.WireFormat, Only(before, TestStates.State(null, TestStates.Instance(vrid: 53, vip: "198.51.100.101/24"))).Kind);
    }

    [Fact]
    public void NothingChanged_OrNoBase_OrANewInstance_NeedsNoOrder()
    {
        var state = TestStates.State(null, TestStates.Instance());

        Assert.Empty(RolloutOrder.Between(state, state));
        Assert.Empty(RolloutOrder.Between(null, state));
        Assert.Empty(RolloutOrder.Between(state, TestStates.State(null, TestStates.Instance(), TestStates.Instance(vrid: 52, vip: "198.51.100.102/24"))));
    }

    [Fact]
    public void TheClusterPlan_CarriesTheOrder()
    {
        var plan = ClusterPlanner.Between(TestStates.State(null, TestStates.Instance()), TestStates.State(null, TestStates.Instance(vrid: 53)));

        Assert.Equal("vi_1", Assert.Single(plan.Rollouts).Instance);
    }
}
