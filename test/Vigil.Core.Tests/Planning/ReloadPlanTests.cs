using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

/// <summary>What a reload does to each instance, from plain values.</summary>
public sealed class ReloadPlanTests
{
    private static readonly NodeVrrpInstance Vi1 = new()
    {
        Name = "vi_1",
        Interface = "eth0",
        VirtualRouterId = 51,
        Version = 3,
        AdvertInterval = TimeSpan.FromMilliseconds(100),
        Priority = 100,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") }],
    };

    private static NodeDesiredState Node(params NodeVrrpInstance[] instances) => new() { Node = "ka1", VrrpInstances = [.. instances] };

    private static InstanceAction ActionFor(NodeVrrpInstance before, NodeVrrpInstance after) =>
        ReloadPlan.Between(Node(before), Node(after)).Single().Action;

    [Fact]
    public void FirstLoad_StartsEverything() =>
        Assert.Equal([new InstanceReload("vi_1", InstanceAction.Start)], ReloadPlan.Between(null, Node(Vi1)));

    [Fact]
    public void Unchanged_IsKept() => Assert.Equal(InstanceAction.Keep, ActionFor(Vi1, Vi1 with { }));

    [Fact]
    public void NewVipOrPriorityOrGarp_IsAdjustedInPlace()
    {
        Assert.Equal(InstanceAction.Adjust, ActionFor(Vi1, Vi1 with { VirtualAddresses = [.. Vi1.VirtualAddresses, new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.101/24") }] }));
        Assert.Equal(InstanceAction.Adjust, ActionFor(Vi1, Vi1 with { Priority = 120 }));
        Assert.Equal(InstanceAction.Adjust, ActionFor(Vi1, Vi1 with { Garp = new GarpSpec { Repeat = 3 } }));
        // A master that restarted for a v3 interval change gave the VIP away twice (the rollout table's interval rows).
        Assert.Equal(InstanceAction.Adjust, ActionFor(Vi1, Vi1 with { AdvertInterval = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public void WhatTheWireOrElectionDependsOn_Restarts()
    {
        Assert.Equal(InstanceAction.Restart, ActionFor(Vi1, Vi1 with { VirtualRouterId = 52 }));
        // v2 backups discard adverts of another interval (RFC 3768 section 7.1): only v3 takes one in place.
        Assert.Equal(InstanceAction.Restart, ActionFor(Vi1 with { Version = 2, AdvertInterval = TimeSpan.FromSeconds(1) }, Vi1 with { Version = 2, AdvertInterval = TimeSpan.FromSeconds(2) }));
        Assert.Equal(InstanceAction.Restart, ActionFor(Vi1, Vi1 with { Transport = VrrpTransport.Unicast }));
        Assert.Equal(InstanceAction.Restart, ActionFor(Vi1, Vi1 with { Priority = 255 })); // the owner starts as master
        Assert.Equal(InstanceAction.Restart, ActionFor(Vi1, Vi1 with { UseVirtualMac = true })); // another interface on the wire
    }

    [Fact]
    public void RemovedInstance_Stops_AddedOneStarts()
    {
        var plan = ReloadPlan.Between(Node(Vi1), Node(Vi1 with { Name = "vi_2", VirtualRouterId = 52 }));
        Assert.Equal([new InstanceReload("vi_1", InstanceAction.Stop), new InstanceReload("vi_2", InstanceAction.Start)], plan);
    }

    [Fact]
    public void SyncGroupWhoseMembershipChanged_RestartsItsMembers()
    {
        var member = Vi1 with { SyncGroup = "g" };
        var other = Vi1 with { Name = "vi_2", VirtualRouterId = 52 };
        var before = Node(member, other) with { SyncGroups = [new NodeSyncGroup("g", ["vi_1"], null)] };
        var after = Node(member, other with { SyncGroup = "g" }) with { SyncGroups = [new NodeSyncGroup("g", ["vi_1", "vi_2"], null)] };
        Assert.All(ReloadPlan.Between(before, after), step => Assert.Equal(InstanceAction.Restart, step.Action));
    }

    /// <summary>A hook edit is taken in place: restarting the members would fail their VIPs over twice for it.</summary>
    [Fact]
    public void SyncGroupWhoseHooksAloneChanged_AdjustsItsMembersInPlace()
    {
        var member = Vi1 with { SyncGroup = "g" };
        var before = Node(member) with { SyncGroups = [new NodeSyncGroup("g", ["vi_1"], null)] };
        var after = Node(member) with { SyncGroups = [new NodeSyncGroup("g", ["vi_1"], new NotifySpec { OnMaster = "/bin/true" })] };
        Assert.Equal(InstanceAction.Adjust, ReloadPlan.Between(before, after).Single().Action);
    }
}
