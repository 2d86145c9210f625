using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// useVirtualMac (keepalived's use_vmac) across namespaces: the master's VIP sits on the macvlan vrrp.51 (vrrp6.51), adverts
/// and announcements leave with the virtual MAC, the client reaches the VIP through it, and after a failover the new master
/// uses the same MAC. Both nodes share that MAC, so nodes are told apart by their adverts' source address.
/// </summary>
public sealed class VirtualMacFailoverTests
{
    [Theory]
    [InlineData(false, "vrrp.51", "00:00:5e:00:01:33")]  // RFC 5798 section 7.3, VRID 51
    [InlineData(true, "vrrp6.51", "00:00:5e:00:02:33")]
    public void VirtualMac_MasterAnnouncesWithIt_ClientReachesTheVipThroughIt_AcrossAFailover_MacvlanRemovedOnStop(bool ipv6, string device, string mac)
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(UseVirtualMac: true, Ipv6: ipv6));
        var vip = lab.Scenario.Vip;
        var announcement = ipv6 ? WireKind.NeighborAdvert : WireKind.GratuitousArp;
        var startedAt = Takeover.Now();
        var ka1 = lab.StartVigil("ka1");
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka1") == "Master" && OnVirtualMac(lab.Ka1, device, vip), TimeSpan.FromSeconds(20)), lab.Explain());
        var ka2 = lab.StartVigil("ka2");
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Backup", TimeSpan.FromSeconds(20)), lab.Explain());

        // The backup has its macvlan up (ready to take over) but no VIP on it; the master's VIP is not on eth0.
        Assert.Contains($"{device}@eth0", Ip(lab.Ka2, "link", "show", device), StringComparison.Ordinal);
        Assert.False(OnVirtualMac(lab.Ka2, device, vip));
        Assert.False(lab.Lab.Holds(lab.Ka1, vip));
        var advert = lab.Wire.WaitFor(e => e.Kind == WireKind.Advert && e.Source == Source(lab.Ka1, ipv6) && e.Time > startedAt, TimeSpan.FromSeconds(2));
        Assert.Equal(mac, advert?.Mac);
        Assert.Equal(mac, lab.Wire.WaitFor(e => e.Kind == announcement && e.Address == vip, TimeSpan.FromSeconds(2))?.Mac);
        AssertClientReachesTheVip(lab, mac, startedAt);
        if (ipv6)
        {
            // RFC 5798 section 7.4: no link-local made from the shared MAC; the parent's own, so each node's is unique.
            var onMacvlan = Ip(lab.Ka2, "-o", "addr", "show", "dev", device);
            Assert.Contains($" {Source(lab.Ka2, ipv6)}/64", onMacvlan, StringComparison.Ordinal);
            Assert.DoesNotContain("fe80::200:5eff:fe00:233", onMacvlan, StringComparison.Ordinal);
        }
        else
        {
            // keepalived's settings: the macvlan answers ARP only for its own addresses; so does the parent.
            Assert.Equal("1", Sysctl(lab.Ka1, device, "arp_ignore"));
            Assert.Equal("1", Sysctl(lab.Ka1, "eth0", "arp_ignore"));
        }

        var stoppedAt = Takeover.Now();
        NamespaceLab.Signal(ka1, "TERM");
        Assert.True(ka1.WaitForExit(10_000), lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => lab.State("ka2") == "Master" && OnVirtualMac(lab.Ka2, device, vip), TimeSpan.FromSeconds(5)), lab.Explain());

        Assert.DoesNotContain(device, Ip(lab.Ka1, "link", "show"), StringComparison.Ordinal);
        if (!ipv6)
        {
            Assert.Equal("0", Sysctl(lab.Ka1, "eth0", "arp_ignore")); // given back once no macvlan is left on eth0
        }
        var newMaster = lab.Wire.WaitFor(e => e.Kind == WireKind.Advert && e.Source == Source(lab.Ka2, ipv6) && e.Time > stoppedAt, TimeSpan.FromSeconds(2));
        Assert.Equal(mac, newMaster?.Mac);
        Assert.Equal(mac, lab.Wire.WaitFor(e => e.Kind == announcement && e.Address == vip && e.Time > stoppedAt, TimeSpan.FromSeconds(2))?.Mac);
        AssertClientReachesTheVip(lab, mac, stoppedAt);

        NamespaceLab.Signal(ka2, "TERM");
        Assert.True(ka2.WaitForExit(10_000), lab.Explain());
        Assert.DoesNotContain(device, Ip(lab.Ka2, "link", "show"), StringComparison.Ordinal);
    }

    /// <summary>Adverts come from the parent's address: its own for IPv4, its link-local for IPv6 (lab MACs 02:00:00:00:00:NN).</summary>
    /// <summary>
    /// Two virtual-MAC instances on one parent: the parent's ARP settings (arp_ignore, arp_filter) are the operator's
    /// again once both macvlans are gone, whichever instance stops first. Each macvlan used to save what it found, so
    /// the second saved Vigil's own values, and restored them if the first stopped first.
    /// </summary>
    [Fact]
    public void TwoVirtualMacsOnOneParent_TheFirstStoppedFirst_TheParentGetsItsOwnArpSettingsBack()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario(UseVirtualMac: true));
        File.WriteAllText(Path.Combine(lab.ConfigFolder, "vi_2.yaml"), """
            apiVersion: vigil/v1
            kind: VrrpInstance
            metadata:
              name: vi_2
            spec:
              virtualRouterId: 52
              useVirtualMac: true
              members:
                - node: ka1
                  priority: 100
              virtualAddresses:
                - address: 198.51.100.102/24
            """);
        string Arp(string setting) => NamespaceLab.Run("ip", "netns", "exec", lab.Ka1.Namespace, "cat", $"/proc/sys/net/ipv4/conf/eth0/{setting}").Output.Trim();
        Assert.Equal(("0", "0"), (Arp("arp_ignore"), Arp("arp_filter")));
        var ka1 = lab.StartVigil("ka1");
        Assert.True(FailoverLab.WaitUntil(() => lab.StatusDocument("ka1")?["instances"]?.AsArray().Count(i => (string?)i!["state"] == "Master") == 2,
            TimeSpan.FromSeconds(20)), lab.Explain());
        Assert.Equal(("1", "1"), (Arp("arp_ignore"), Arp("arp_filter")));

        File.Delete(Path.Combine(lab.ConfigFolder, "vi_1.yaml")); // the first instance made goes first
        NamespaceLab.Signal(ka1, "HUP");
        Assert.True(FailoverLab.WaitUntil(() => lab.StatusDocument("ka1")?["instances"]?.AsArray().Count == 1, TimeSpan.FromSeconds(10)), lab.Explain());
        NamespaceLab.Signal(ka1, "TERM");
        Assert.True(ka1.WaitForExit(TimeSpan.FromSeconds(10)));

        Assert.Equal(("0", "0"), (Arp("arp_ignore"), Arp("arp_filter")));
    }

    private static string Source(LabHost host, bool ipv6) => ipv6 ? $"fe80::ff:fe00:{host.Mac[^2..]}" : host.Address.Split('/')[0];

    private static string Ip(LabHost host, params string[] arguments) => NamespaceLab.Run("ip", ["-n", host.Namespace, .. arguments]).Output;

    private static bool OnVirtualMac(LabHost host, string device, string vip) =>
        Ip(host, "-o", "addr", "show", "dev", device).Contains($" {vip}/", StringComparison.Ordinal);

    /// <summary>
    /// The client forgets the VIP's MAC and pings it. For IPv4 every ARP reply for the VIP must say the virtual MAC, none
    /// a node's own (the parent's arp_ignore). The master's own ARP requests may still leave from the parent (the kernel
    /// routes by the first matching route), as with keepalived, so the client's table is not the witness.
    /// </summary>
    private static void AssertClientReachesTheVip(FailoverLab lab, string mac, double since)
    {
        var vip = lab.Scenario.Vip;
        Ip(lab.Client, "neigh", "flush", "to", vip);
        Assert.True(NamespaceLab.Run("ip", "netns", "exec", lab.Client.Namespace, "ping", "-c", "1", "-W", "2", vip).ExitCode == 0, lab.Explain());
        if (lab.Scenario.Ipv6)
        {
            return; // tcpdump shows a solicited NA's target MAC only with -v; the announcements above carry the MAC
        }
        Assert.NotNull(lab.Wire.WaitFor(e => e.Kind == WireKind.ArpReply && e.Address == vip && e.Time > since, TimeSpan.FromSeconds(2)));
        Assert.All(lab.Wire.Events.Where(e => e.Kind == WireKind.ArpReply && e.Address == vip), e => Assert.Equal((mac, mac), (e.Mac, e.Destination)));
    }

    private static string Sysctl(LabHost host, string device, string name) =>
        NamespaceLab.Run("ip", "netns", "exec", host.Namespace, "cat", $"/proc/sys/net/ipv4/conf/{device}/{name}").Output.Trim();
}
