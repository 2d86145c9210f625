using Vigil.Core.Desired;
using Vigil.Core.Validation;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Validation;

public class VrrpInstanceRulesTests
{
    private static IReadOnlyList<Diagnostic> Check(DesiredState state) => SemanticValidator.Validate(state);

    private static Diagnostic Single(DesiredState state, string rule) => Assert.Single(Check(state), d => d.Rule == rule);

    [Fact]
    public void Basic_IsClean() => Assert.Empty(Check(State(null, Instance())));

    [Fact]
    public void SameVridOnTheSameInterface_IsAnError()
    {
        var d = Single(State(null, Instance(51), Instance(51, "198.51.100.101/24")), "vrid-unique");
        Assert.Equal(Severity.Error, d.Severity);
        Assert.Equal("spec.virtualRouterId", d.Field);
        Assert.StartsWith("virtualRouterId 51 on eth0 (IPv4) is already used by VrrpInstance 'vi_1'", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameVrid_OnOtherInterfaceOrFamily_IsAllowed()
    {
        var other = Instance(51, "198.51.100.101/24") with { Interface = "eth1" };
        var v6 = Instance(51, "2001:db8::100/64") with { Version = 3 };
        Assert.Equal(["link-local-unlisted"], Check(State(null, Instance(51), other, v6)).Select(d => d.Rule));
    }

    [Fact]
    public void Priority255_WithoutOwningTheAddress_IsAnError()
    {
        var d = Single(State(null, Instance(ka1: 255)), "priority-owner");
        Assert.Equal("spec.members[0].priority", d.Field);
        Assert.Equal("priority 255 is reserved for the address owner, and node 'ka1' does not have 198.51.100.100 as its own address; use 1-254", d.Message);
    }

    [Fact]
    public void Priority255_ForTheAddressOwner_IsAllowed() =>
        Assert.Empty(Check(State(null, Instance(vip: "198.51.100.11/24", ka1: 255))));

    [Theory]
    [InlineData(2, "1500ms", "advertInterval 1.5s is not possible with VRRPv2: whole seconds from 1s to 255s (use version 3 for sub-second adverts)")]
    [InlineData(2, "100ms", "advertInterval 100ms is not possible with VRRPv2: whole seconds from 1s to 255s (use version 3 for sub-second adverts)")]
    [InlineData(2, "256s", "advertInterval 256s is not possible with VRRPv2: whole seconds from 1s to 255s (use version 3 for sub-second adverts)")]
    [InlineData(3, "5ms", "advertInterval 5ms is not possible with VRRPv3: centiseconds from 10ms to 40.95s")]
    [InlineData(3, "15ms", "advertInterval 15ms is not possible with VRRPv3: centiseconds from 10ms to 40.95s")]
    [InlineData(3, "41s", "advertInterval 41s is not possible with VRRPv3: centiseconds from 10ms to 40.95s")]
    public void AdvertInterval_OutsideTheVersionsRange_IsAnError(int version, string interval, string message)
    {
        var instance = Instance() with { Version = version, AdvertInterval = Durations.Parse(interval) };
        var d = Single(State(null, instance), "advert-interval");
        Assert.Equal("spec.advertInterval", d.Field);
        Assert.Equal(message, d.Message);
    }

    [Theory]
    [InlineData(2, "1s")]
    [InlineData(2, "255s")]
    [InlineData(3, "10ms")]
    [InlineData(3, "100ms")]
    [InlineData(3, "40950ms")]
    public void AdvertInterval_WithinTheVersionsRange_IsAllowed(int version, string interval)
    {
        var instance = Instance() with { Version = version, AdvertInterval = Durations.Parse(interval) };
        Assert.Empty(Check(State(null, instance)));
    }

    [Fact]
    public void Authentication_WithVersion3_IsAnError()
    {
        var instance = Instance() with { Version = 3, Authentication = new VrrpAuthenticationSpec { Password = "s3cr3t" } };
        var d = Single(State(null, instance), "auth-v2-only");
        Assert.Equal("spec.authentication", d.Field);
    }

    [Fact]
    public void TheSameVip_InTwoInstances_IsAnErrorOnTheSecond()
    {
        var d = Single(State(null, Instance(51), Instance(52)), "vip-unique");
        Assert.Equal("spec.virtualAddresses[0].address", d.Field);
        Assert.Equal("198.51.100.100 is already claimed by VrrpInstance 'vi_1' (<memory>:1); a virtual address belongs to exactly one instance", d.Message);
    }

    [Fact]
    public void TheSameVip_TwiceInOneInstance_IsAWarning_AsKeepalivedAcceptsIt()
    {
        var vip = Instance().VirtualAddresses[0];
        var d = Single(State(null, Instance() with { VirtualAddresses = [vip, vip with { Label = "eth0:web" }] }), "vip-repeated");
        Assert.Equal((Severity.Warning, "spec.virtualAddresses[1].address"), (d.Severity, d.Field));
        Assert.StartsWith("198.51.100.100 is also listed at <memory>:1", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_WithVersion2_IsAnError()
    {
        var d = Single(State(null, Instance(vip: "2001:db8::100/64")), "ipv6-needs-v3");
        Assert.Equal("IPv6 virtual addresses need VRRP version 3 (RFC 3768 is IPv4 only)", d.Message);
    }

    [Fact]
    public void Ipv6_MembersWithoutLinkLocalAddresses_AreAWarning_NamingThem()
    {
        var instance = Instance(vip: "2001:db8::100/64") with { Version = 3 };
        var listed = Cluster() with { Nodes = [Node("ka1", "198.51.100.11/24", "fe80::11/64"), Node("ka2", "198.51.100.12/24", "2001:db8::12/64")] };
        var both = Cluster() with { Nodes = [Node("ka1", "fe80::11/64"), Node("ka2", "fe80::12/64")] };

        var d = Single(State(listed, instance), "link-local-unlisted");

        Assert.Equal((Severity.Warning, "spec.members"), (d.Severity, d.Field));
        Assert.Contains("for node(s) 'ka2'", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Check(State(both, instance)), x => x.Rule == "link-local-unlisted");
        Assert.DoesNotContain(Check(State(listed, Instance())), x => x.Rule == "link-local-unlisted");
    }

    [Fact]
    public void MixedFamilies_InVirtualAddresses_IsAnError()
    {
        var instance = Instance() with
        {
            VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") }, new VirtualAddressSpec { Address = IpPrefix.Parse("2001:db8::100/64") }],
        };
        var d = Single(State(null, instance), "family-mismatch");
        Assert.Equal("spec.virtualAddresses[1].address", d.Field);
    }

    [Fact]
    public void ScriptWeight_SmallerThanThePriorityGap_WarnsWithTheNumbers()
    {
        var state = State(null, Instance(ka1: 100, ka2: 90) with { TrackScripts = [new TrackScriptSpec { Name = "chk" }] }) with
        {
            VrrpScripts = [Named("chk", new VrrpScriptSpec { Script = "/bin/true", Weight = -5 })],
        };
        var d = Single(state, "weight-too-small");
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Equal("spec.trackScripts[0]", d.Field);
        Assert.Equal(
            "script 'chk' with weight -5 can never cause a failover: node 'ka1' priority 100 -5 = 95 is not below node 'ka2' priority 90; use a weight of -11 or lower",
            d.Message);
    }

    [Theory]
    [InlineData(-10, true)] // 100 - 10 = 90 ties with the backup: the tie-break on addresses decides, not the script
    [InlineData(-11, false)]
    [InlineData(0, false)] // weight 0 means Fault, which always fails over
    [InlineData(20, false)]
    public void TrackOverrideWeight_DecidesTheWarning(int weight, bool warns)
    {
        var state = State(null, Instance(ka1: 100, ka2: 90) with { TrackScripts = [new TrackScriptSpec { Name = "chk", Weight = weight }] }) with
        {
            VrrpScripts = [Named("chk", new VrrpScriptSpec { Script = "/bin/true", Weight = -50 })],
        };
        Assert.Equal(warns, Check(state).Any(d => d.Rule == "weight-too-small" && d.Field == "spec.trackScripts[0].weight"));
    }

    [Fact]
    public void InterfaceWeight_SmallerThanThePriorityGap_Warns()
    {
        var instance = Instance(ka1: 100, ka2: 80) with { TrackInterfaces = [new TrackInterfaceSpec { Name = "eth1", Weight = -20 }] };
        var d = Single(State(null, instance), "weight-too-small");
        Assert.Equal("spec.trackInterfaces[0].weight", d.Field);
        Assert.Contains("use a weight of -21 or lower", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicast_MemberWithoutAnAddressOnTheInterface_IsAnError()
    {
        var cluster = Cluster() with { Nodes = [Node("ka1", "198.51.100.11/24"), Node("ka2", "2001:db8::12/64")] };
        var d = Single(State(cluster, Instance() with { Transport = VrrpTransport.Unicast }), "unicast-address");
        Assert.Equal("spec.members[1].node", d.Field);
        Assert.Equal("unicast needs an IPv4 address for node 'ka2' on eth0 in the Cluster, to derive the peers", d.Message);
    }

    [Fact]
    public void PreemptDelay_WithPreemptOff_IsAnError()
    {
        var instance = Instance() with { Preempt = false, PreemptDelay = TimeSpan.FromSeconds(5) };
        Assert.Equal("spec.preemptDelay", Single(State(null, instance), "preempt-delay").Field);
    }

    [Fact]
    public void NoInterface_AnywhereInTheChain_IsAnError()
    {
        var cluster = Cluster() with { Defaults = new ClusterDefaults() };
        Assert.Equal("spec.interface", Single(State(cluster, Instance()), "interface-missing").Field);
    }

    private static ClusterSpec Strict(int version = 2) => Cluster(version) with { Defaults = Cluster(version).Defaults with { Strict = true } };

    [Fact]
    public void Strict_Basic_IsClean() => Assert.Empty(Check(State(Strict(), Instance())));

    [Theory]
    [InlineData("vips", "strict-vips", "spec.virtualAddresses", "an instance needs at least one virtual address")]
    [InlineData("unicast", "strict-unicast", "spec.transport", "VRRP is multicast: unicast is not allowed")]
    [InlineData("auth", "strict-auth", "spec.authentication", "authentication is not in VRRP (RFC 5798 removed it)")]
    [InlineData("delay", "strict-preempt-delay", "spec.preemptDelay", "preemptDelay is not in VRRP")]
    [InlineData("accept", "strict-accept-v2", "spec.accept", "accept mode is VRRPv3's (RFC 3768 has none): set version 3 or remove accept")]
    public void Strict_RefusesWhatRfc5798LeavesOut_AtItsField(string what, string rule, string field, string message)
    {
        var instance = what switch
        {
            "vips" => Instance() with { VirtualAddresses = [] },
            "unicast" => Instance() with { Transport = VrrpTransport.Unicast },
            "auth" => Instance() with { Authentication = new VrrpAuthenticationSpec { Password = "secret" } },
            "delay" => Instance() with { PreemptDelay = TimeSpan.FromSeconds(5) },
            _ => Instance() with { Accept = true },
        };
        var d = Single(State(Strict(), instance), rule);
        Assert.Equal((field, $"strict (Cluster defaults.strict): {message}"), (d.Field, d.Message));
        // Without strict, keepalived allows each.
        Assert.DoesNotContain(Check(State(null, instance)), x => x.Rule.StartsWith("strict", StringComparison.Ordinal));
    }

    [Fact]
    public void Strict_Ipv6_FirstVipMustBeLinkLocal_AndAcceptIsV3s()
    {
        var v6 = Instance(vip: "2001:db8::100/64") with { Version = 3 };
        Assert.Equal("spec.virtualAddresses[0].address", Single(State(Strict(3), v6), "strict-link-local").Field);
        var linkLocalFirst = v6 with { VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("fe80::100/64") }, .. v6.VirtualAddresses], Accept = true };
        Assert.DoesNotContain(Check(State(Strict(3), linkLocalFirst)), d => d.Rule.StartsWith("strict", StringComparison.Ordinal));
    }

    [Fact]
    public void Strict_ProjectsKeepalivedsDefaults_NoAcceptButForTheOwner_NoLowerPriorityAnswerNorGarp()
    {
        var state = State(Strict(), Instance());
        var ka1 = NodeProjection.For(state, "ka1").VrrpInstances[0];
        Assert.False(ka1.Accept);
        Assert.False(ka1.AnswerLowerPriority);
        Assert.Equal(0, ka1.Garp.LowerPriorityRepeat);
        Assert.True(NodeProjection.For(state with { VrrpInstances = [Named("vi_1", Instance() with { Accept = true })] }, "ka1").VrrpInstances[0].Accept);
        // Not strict: keepalived's accept, and its answers.
        var plain = NodeProjection.For(State(null, Instance()), "ka1").VrrpInstances[0];
        Assert.True(plain.Accept && plain.AnswerLowerPriority);
        Assert.Equal(5, plain.Garp.LowerPriorityRepeat);
    }

    [Fact]
    public void ExternalPeers_UnicastOnly_OfTheFamily_AndNoMembersAddress()
    {
        var unicast = Instance() with { Transport = VrrpTransport.Unicast, ExternalPeers = [System.Net.IPAddress.Parse("198.51.100.13")] };
        Assert.Empty(Check(State(null, unicast)));
        Assert.Equal("spec.externalPeers", Single(State(null, unicast with { Transport = VrrpTransport.Multicast }), "external-peers-unicast").Field);
        Assert.Equal("spec.externalPeers[0]", Single(State(null, unicast with { ExternalPeers = [System.Net.IPAddress.Parse("2001:db8::13")] }), "family-mismatch").Field);
        Assert.Equal("198.51.100.12 is the address of node 'ka2': a Cluster node is a member, not an external peer",
            Single(State(null, unicast with { ExternalPeers = [System.Net.IPAddress.Parse("198.51.100.12")] }), "external-peer-member").Message);
    }

    [Fact]
    public void UnicastTtl_UnicastOnly_ProjectedAndRendered()
    {
        var unicast = Instance() with { Transport = VrrpTransport.Unicast, UnicastTtl = 64 };
        Assert.Empty(Check(State(null, unicast)));
        Assert.Equal("spec.unicastTtl", Single(State(null, unicast with { Transport = VrrpTransport.Multicast }), "unicast-ttl-unicast").Field);
        var ka1 = NodeProjection.For(State(null, unicast), "ka1");
        Assert.Equal(64, ka1.VrrpInstances[0].UnicastTtl);
        Assert.Contains("unicast_ttl 64", Vigil.Core.Rendering.KeepalivedConfWriter.Write(ka1), StringComparison.Ordinal);
        Assert.DoesNotContain("unicast_ttl", Vigil.Core.Rendering.KeepalivedConfWriter.Write(NodeProjection.For(State(null, unicast with { UnicastTtl = null }), "ka1")), StringComparison.Ordinal);
    }
}
