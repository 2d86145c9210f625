using Vigil.Cli.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// useVirtualMac (keepalived's use_vmac) across namespaces: the master's VIP sits on the macvlan vrrp.51, adverts and
/// gratuitous ARPs leave with the virtual MAC, the client resolves the VIP to it, and after a failover the client reaches
/// the new master through the same MAC. Both nodes share that MAC, so nodes are told apart by their adverts' source.
/// </summary>
public sealed class VirtualMacFailoverTests
{
    private const string VirtualMac = "00:00:5e:00:01:33"; // RFC 5798 section 7.3, VRID 51

    [Fact]
    public void VirtualMac_MasterAnnouncesWithIt_ClientReachesTheVipThroughIt_AcrossAFailover_MacvlanRemovedOnStop()
    {
        if (FailoverLab.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
        using var lab = new FailoverLab(new Scenario(UseVirtualMac: true));
        var vip = lab.Scenario.Vip;
        var startedAt = Takeover.Now();
        var ka1 = lab.StartVigil("ka1");
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && OnVirtualMac(lab.Ka1, vip), TimeSpan.FromSeconds(20)), lab.Explain());
        var ka2 = lab.StartVigil("ka2");
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Backup", TimeSpan.FromSeconds(20)), lab.Explain());

        // The backup has its macvlan up (ready to take over) but no VIP on it, and nothing on eth0.
        Assert.Contains("vrrp.51@eth0", Ip(lab.Ka2, "link", "show", "vrrp.51"), StringComparison.Ordinal);
        Assert.False(OnVirtualMac(lab.Ka2, vip));
        Assert.False(lab.Lab.Holds(lab.Ka1, vip)); // on vrrp.51, not eth0
        var advert = lab.Wire.WaitFor(e => e.Kind == WireKind.Advert && e.Source == Bare(lab.Ka1) && e.Time > startedAt, TimeSpan.FromSeconds(2));
        Assert.Equal(VirtualMac, advert?.Mac);
        Assert.Equal(VirtualMac, lab.Wire.WaitFor(e => e.Kind == WireKind.GratuitousArp && e.Address == vip, TimeSpan.FromSeconds(2))?.Mac);
        AssertClientResolvesTheVipToTheVirtualMac(lab, startedAt);
        // keepalived's settings: the macvlan answers ARP only for its own addresses; so does the parent.
        Assert.Equal("1", Sysctl(lab.Ka1, "vrrp.51", "arp_ignore"));
        Assert.Equal("1", Sysctl(lab.Ka1, "eth0", "arp_ignore"));

        var stoppedAt = Takeover.Now();
        NamespaceLab.Signal(ka1, "TERM");
        Assert.True(ka1.WaitForExit(10_000), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && OnVirtualMac(lab.Ka2, vip), TimeSpan.FromSeconds(5)), lab.Explain());

        Assert.DoesNotContain("vrrp.51", Ip(lab.Ka1, "link", "show"), StringComparison.Ordinal);
        Assert.Equal("0", Sysctl(lab.Ka1, "eth0", "arp_ignore")); // given back once no macvlan is left on eth0
        var newMaster = lab.Wire.WaitFor(e => e.Kind == WireKind.Advert && e.Source == Bare(lab.Ka2) && e.Time > stoppedAt, TimeSpan.FromSeconds(2));
        Assert.Equal(VirtualMac, newMaster?.Mac);
        AssertClientResolvesTheVipToTheVirtualMac(lab, stoppedAt);

        NamespaceLab.Signal(ka2, "TERM");
        Assert.True(ka2.WaitForExit(10_000), lab.Explain());
        Assert.DoesNotContain("vrrp.51", Ip(lab.Ka2, "link", "show"), StringComparison.Ordinal);
    }

    private static string Bare(LabHost host) => host.Address.Split('/')[0];

    private static string Ip(LabHost host, params string[] arguments) => NamespaceLab.Run("ip", ["-n", host.Namespace, .. arguments]).Output;

    private static bool OnVirtualMac(LabHost host, string vip) =>
        Ip(host, "-o", "addr", "show", "dev", "vrrp.51").Contains($" {vip}/", StringComparison.Ordinal);

    /// <summary>
    /// The client forgets the VIP's MAC and pings it: the VIP answers, and every ARP reply for it says the virtual MAC,
    /// none a node's own (the parent's arp_ignore). The master's own ARP requests may still go out of the parent (the
    /// kernel routes replies by the first matching route), as with keepalived, so the client's table is not the witness.
    /// </summary>
    private static void AssertClientResolvesTheVipToTheVirtualMac(FailoverLab lab, double since)
    {
        var vip = lab.Scenario.Vip;
        Ip(lab.Client, "neigh", "flush", "to", vip);
        Assert.True(NamespaceLab.Run("ip", "netns", "exec", lab.Client.Namespace, "ping", "-c", "1", "-W", "2", vip).ExitCode == 0, lab.Explain());
        Assert.NotNull(lab.Wire.WaitFor(e => e.Kind == WireKind.ArpReply && e.Address == vip && e.Time > since, TimeSpan.FromSeconds(2)));
        Assert.All(lab.Wire.Events.Where(e => e.Kind == WireKind.ArpReply && e.Address == vip), e => Assert.Equal((VirtualMac, VirtualMac), (e.Mac, e.Destination)));
    }

    private static string Sysctl(LabHost host, string device, string name) =>
        NamespaceLab.Run("ip", "netns", "exec", host.Namespace, "cat", $"/proc/sys/net/ipv4/conf/{device}/{name}").Output.Trim();
}
