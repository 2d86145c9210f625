using System.Net;
using Vigil.Core.Desired;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Desired;

public class NodeProjectionTests
{
    [Fact]
    public void EachNode_GetsItsOwnPriority_AndTheDefaultsResolved()
    {
        var state = State(Cluster(version: 3, advert: "100ms"), Instance(ka1: 100, ka2: 80));
        var ka1 = Assert.Single(NodeProjection.For(state, "ka1").VrrpInstances);
        var ka2 = Assert.Single(NodeProjection.For(state, "ka2").VrrpInstances);
        Assert.Equal((100, true), (ka1.Priority, ka1.PreferredMaster));
        Assert.Equal((80, false), (ka2.Priority, ka2.PreferredMaster));
        Assert.Equal(("eth0", 3, TimeSpan.FromMilliseconds(100), IpFamily.IPv4), (ka2.Interface, ka2.Version, ka2.AdvertInterval, ka2.Family));
        Assert.Equal(IPAddress.Parse("198.51.100.12"), ka2.SourceAddress);
    }

    [Fact]
    public void Unicast_PeersAreDerivedFromTheOtherMembersAddresses()
    {
        var cluster = Cluster() with { Nodes = [.. Cluster().Nodes, Node("ka3", "198.51.100.13/24")] };
        var instance = Instance() with
        {
            Transport = VrrpTransport.Unicast,
            Members = [new VrrpMemberSpec { Node = "ka1", Priority = 100 }, new VrrpMemberSpec { Node = "ka2", Priority = 90 }, new VrrpMemberSpec { Node = "ka3", Priority = 80 }],
        };
        var ka2 = Assert.Single(NodeProjection.For(State(cluster, instance), "ka2").VrrpInstances);
        Assert.Equal([IPAddress.Parse("198.51.100.11"), IPAddress.Parse("198.51.100.13")], ka2.UnicastPeers);
    }

    /// <summary>A link-local address listed for the drift report's sake is not taken for the routable unicast peer.</summary>
    [Fact]
    public void Unicast_Ipv6Peers_PreferARoutableAddressToALinkLocalListedFirst()
    {
        var cluster = Cluster() with { Nodes = [Node("ka1", "fe80::11/64", "2001:db8::11/64"), Node("ka2", "fe80::12/64", "2001:db8::12/64")] };
        var instance = Instance(vip: "2001:db8::100/64") with { Version = 3, Transport = VrrpTransport.Unicast };
        var ka1 = Assert.Single(NodeProjection.For(State(cluster, instance), "ka1").VrrpInstances);
        Assert.Equal([IPAddress.Parse("2001:db8::12")], ka1.UnicastPeers);
    }

    [Fact]
    public void Multicast_HasNoPeers_AndIpv6UsesTheIpv6Address()
    {
        var instance = Instance(vip: "2001:db8::100/64") with { Version = 3 };
        var ka1 = Assert.Single(NodeProjection.For(State(null, instance), "ka1").VrrpInstances);
        Assert.Empty(ka1.UnicastPeers);
        Assert.Equal(IpFamily.IPv6, ka1.Family);
        Assert.Equal(IPAddress.Parse("2001:db8::11"), ka1.SourceAddress);
    }

    [Fact]
    public void InstancesOfOtherNodes_AndUntrackedScripts_AreLeftOut()
    {
        var onlyKa2 = Instance(52, "198.51.100.101/24") with { Members = [new VrrpMemberSpec { Node = "ka2", Priority = 100 }] };
        var state = State(null, Instance() with { TrackScripts = [new TrackScriptSpec { Name = "chk" }] }, onlyKa2) with
        {
            VrrpScripts = [Named("chk", new VrrpScriptSpec { Script = "/bin/true", Weight = -30 }), Named("other", new VrrpScriptSpec { Script = "/bin/false" })],
            SyncGroups = [Named("g", new SyncGroupSpec { Instances = ["vi_1", "vi_2"] })],
        };
        var ka1 = NodeProjection.For(state, "ka1");
        var instance = Assert.Single(ka1.VrrpInstances);
        Assert.Equal("vi_1", instance.Name);
        Assert.Equal(-30, Assert.Single(instance.TrackScripts).Weight); // the script's own weight, resolved
        Assert.Equal("g", instance.SyncGroup);
        Assert.Equal(["vi_1"], Assert.Single(ka1.SyncGroups).Instances);
        Assert.Equal("chk", Assert.Single(ka1.VrrpScripts).Name);
    }

    [Fact]
    public void UnknownNode_Throws() => Assert.Throws<KeyNotFoundException>(() => NodeProjection.For(State(null, Instance()), "ka9"));
}
