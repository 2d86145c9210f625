using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Core.Tests.Planning;

/// <summary>The drift detector from plain values: ka1 of the two-node test cluster, one instance with one VIP.</summary>
public sealed class DriftDetectorTests
{
    private static readonly ClusterSpec Cluster = TestStates.Cluster();
    private static readonly NodeDesiredState Ka1 = NodeProjection.For(TestStates.State(Cluster, TestStates.Instance()), "ka1");

    private static ObservedAddress Eth0(string prefix, bool addedWhileRunning = false) => new("eth0", IpPrefix.Parse(prefix), addedWhileRunning);

    private static readonly ObservedAddress[] Clean = [Eth0("198.51.100.11/24"), Eth0("2001:db8::11/64"), Eth0("fe80::11/64")];

    private static ObservedInstance Vi1(string state, params ObservedRouter[] routers) =>
        new("vi_1", state, IPAddress.Parse("198.51.100.12"), routers);

    [Fact]
    public void Detect_MasterHoldingItsVip_NoDrift()
    {
        Assert.Empty(DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Vi1("Master")], []));
    }

    [Fact]
    public void Detect_AddressesByHand_OnlyThoseSeenAddedAreCorrectable()
    {
        var items = DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24"), Eth0("203.0.113.7/24", addedWhileRunning: true), Eth0("203.0.113.8/24")],
            [Vi1("Master")], []);

        Assert.Equal([("203.0.113.7/24 on eth0", true), ("203.0.113.8/24 on eth0", false)],
            items.Where(i => i.Kind == DriftKind.AddressAdded).Select(i => (i.Subject, i.Correctable)));
    }

    [Fact]
    public void Detect_VipAndNodeAddresses_MissingOrOutOfPlace()
    {
        var onBackup = DriftDetector.Detect(Ka1, Cluster, [Eth0("198.51.100.11/24"), Eth0("198.51.100.100/24")], [Vi1("Backup")], []);
        var onMaster = DriftDetector.Detect(Ka1, Cluster, [.. Clean], [Vi1("Master")], []);

        Assert.Equal([DriftKind.VipOutsideMaster, DriftKind.AddressRemoved, DriftKind.NotPreferredMaster], onBackup.Select(i => i.Kind));
        Assert.Equal("2001:db8::11/64 on eth0", onBackup[1].Subject);
        Assert.Equal(IpPrefix.Parse("198.51.100.100/24"), onBackup[0].Address);
        Assert.Equal(DriftKind.VipMissingOnMaster, Assert.Single(onMaster).Kind);
    }

    [Fact]
    public void Detect_Routers_ForeignAndSplitBrain_MembersNot()
    {
        var items = DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Vi1("Master",
            new ObservedRouter(IPAddress.Parse("198.51.100.12"), 80, 2, 0),
            new ObservedRouter(IPAddress.Parse("198.51.100.50"), 50, 4, DriftDetector.SplitBrainAdverts),
            new ObservedRouter(IPAddress.Parse("198.51.100.51"), 60, 0, 0))], []); // heard before, silent since

        Assert.Equal([DriftKind.ForeignRouter, DriftKind.SplitBrain], items.Select(i => i.Kind));
        Assert.All(items, i => Assert.Contains("198.51.100.50", i.Detail, StringComparison.Ordinal));
    }

    /// <summary>A flood of forged senders is one finding per kind, naming a few of them and how many more, not one (and a log line) each.</summary>
    [Fact]
    public void Detect_ManyForeignSenders_AreOneFindingPerKind()
    {
        var routers = Enumerable.Range(1, 64).Select(i => new ObservedRouter(IPAddress.Parse($"203.0.113.{i}"), 50, 5, 5)).ToArray();

        var items = DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Vi1("Master", routers)], []);

        Assert.Equal([DriftKind.ForeignRouter, DriftKind.SplitBrain], items.Select(i => i.Kind));
        Assert.Equal("64 routers advertise but are none of the Cluster's nodes (203.0.113.1, 203.0.113.2, 203.0.113.3 and 61 more)", items[0].Detail);
    }

    /// <summary>
    /// A split brain that goes on is one finding from check to check, whatever the count of adverts in each (it was a new
    /// finding, logged and counted again, and the last one "resolved", each time the count changed).
    /// </summary>
    [Fact]
    public void Detect_AContinuingSplitBrain_IsTheSameFinding_WhateverItsCount()
    {
        DriftItem SplitBrain(long adverts) => DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Vi1("Master",
            new ObservedRouter(IPAddress.Parse("198.51.100.12"), 80, adverts, adverts))], []).Single(i => i.Kind == DriftKind.SplitBrain);

        Assert.Equal(SplitBrain(8).Key, SplitBrain(10).Key);
        Assert.NotEqual(SplitBrain(8).Detail, SplitBrain(10).Detail);
        Assert.StartsWith("split brain: 198.51.100.12 advertises as master", SplitBrain(8).Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// IPv6 adverts come from link-local addresses: a member's is one the Cluster lists (received with the
    /// interface's scope), any other is foreign; before, every link-local sender passed as a member.
    /// </summary>
    [Fact]
    public void Detect_LinkLocalSenders_MembersOnlyWhenTheClusterListsThem()
    {
        var listed = Cluster with
        {
            Nodes = [TestStates.Node("ka1", "198.51.100.11/24", "2001:db8::11/64", "fe80::11/64"), TestStates.Node("ka2", "198.51.100.12/24", "2001:db8::12/64", "fe80::12/64")],
        };
        var ka1 = NodeProjection.For(TestStates.State(listed, TestStates.Instance()), "ka1");
        ObservedInstance Heard(string sender) => Vi1("Master", new ObservedRouter(IPAddress.Parse(sender), 80, 2, 0));

        var member = DriftDetector.Detect(ka1, listed, [.. Clean, Eth0("198.51.100.100/24")], [Heard("fe80::12%3")], []);
        var stranger = DriftDetector.Detect(ka1, listed, [.. Clean, Eth0("198.51.100.100/24")], [Heard("fe80::99%3")], []);
        var unlisted = DriftDetector.Detect(Ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Heard("fe80::12%3")], []);
        var ownGone = DriftDetector.Detect(ka1, listed, [Eth0("198.51.100.11/24"), Eth0("2001:db8::11/64"), Eth0("198.51.100.100/24")], [Vi1("Master")], []);

        Assert.Empty(member);
        Assert.Equal(DriftKind.ForeignRouter, Assert.Single(stranger).Kind);
        Assert.Contains("list each node's on its interface", Assert.Single(unlisted).Detail, StringComparison.Ordinal);
        Assert.Equal("fe80::11/64 on eth0", Assert.Single(ownGone).Subject);
    }

    /// <summary>A keepalived router outside the Cluster, named as the instance's external peer, is expected; another is not.</summary>
    [Fact]
    public void Detect_AnExternalPeersAdverts_AreNoForeignRouters()
    {
        var unicast = TestStates.Instance() with { Transport = VrrpTransport.Unicast, ExternalPeers = [IPAddress.Parse("198.51.100.13")] };
        var ka1 = NodeProjection.For(TestStates.State(Cluster, unicast), "ka1");
        ObservedInstance Heard(string sender) => Vi1("Master", new ObservedRouter(IPAddress.Parse(sender), 80, 2, 0));

        Assert.Equal(["198.51.100.12", "198.51.100.13"], ka1.VrrpInstances[0].UnicastPeers.Select(p => p.ToString()));
        Assert.Empty(DriftDetector.Detect(ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Heard("198.51.100.13")], []));
        Assert.Equal(DriftKind.ForeignRouter, Assert.Single(DriftDetector.Detect(ka1, Cluster, [.. Clean, Eth0("198.51.100.100/24")], [Heard("198.51.100.14")], [])).Kind);
    }

    /// <summary>A rolling change half done: the master advertises another address list; a VIP may be served by nobody.</summary>
    [Fact]
    public void Detect_AdvertsWithAnotherAddressList_AreDrift_OnlyWhenSomeCameSinceTheLastCheck()
    {
        var mismatched = Vi1("Backup") with { AddressListMismatchesSinceLastCheck = 3, LastAddressListMismatch = "198.51.100.12 advertises 1 address(es), this instance has 2; not in its adverts: 198.51.100.101" };

        var items = DriftDetector.Detect(Ka1, Cluster, [.. Clean], [mismatched], []);
        var quiet = DriftDetector.Detect(Ka1, Cluster, [.. Clean], [mismatched with { AddressListMismatchesSinceLastCheck = 0 }], []);

        var item = Assert.Single(items, i => i.Kind == DriftKind.AddressListMismatch);
        Assert.Equal("198.51.100.12 advertises 1 address(es), this instance has 2; not in its adverts: 198.51.100.101 (3 advert(s) since the last check)", item.Detail);
        Assert.DoesNotContain(quiet, i => i.Kind == DriftKind.AddressListMismatch);
    }

    [Fact]
    public void Detect_NoPreempt_BackupIsNotDrift()
    {
        var noPreempt = NodeProjection.For(TestStates.State(Cluster, TestStates.Instance() with { Preempt = false }), "ka1");

        Assert.Empty(DriftDetector.Detect(noPreempt, Cluster, [.. Clean], [Vi1("Backup")], []));
    }
}
