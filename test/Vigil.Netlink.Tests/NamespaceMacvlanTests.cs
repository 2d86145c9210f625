using System.Net.NetworkInformation;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>The link requests behind useVirtualMac, in a namespace the test creates, with iproute2 as the witness.</summary>
public sealed class NamespaceMacvlanTests : IDisposable
{
    private readonly TestNamespace _ns = new();

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void Macvlan_CreatedPrivateWithTheMac_SetUp_ConfiguredAndDeleted()
    {
        if (!_ns.Ready)
        {
            Skips.Missing(TestNamespace.SkipReason);
        }
        using var rtnetlink = RtnetlinkClient.OpenInNamespace(_ns.Name);

        var link = rtnetlink.CreateMacvlan("vrrp.51", _ns.D0Index, PhysicalAddress.Parse("00-00-5E-00-01-33"));
        rtnetlink.SetIpv4Config(link.Index, new Dictionary<Ipv4DeviceSetting, uint> { [Ipv4DeviceSetting.ArpIgnore] = 1, [Ipv4DeviceSetting.RpFilter] = 0 });
        rtnetlink.SetUp(link.Index, up: true);

        var shown = _ns.InNamespace("-d", "link", "show", "vrrp.51").Output;
        Assert.Contains("vrrp.51@d0", shown, StringComparison.Ordinal);
        Assert.Contains("link/ether 00:00:5e:00:01:33", shown, StringComparison.Ordinal);
        Assert.Contains("macvlan mode private", shown, StringComparison.Ordinal);
        Assert.Matches(@"<[A-Z,-]*\bUP\b[A-Z,-]*>", shown); // administratively up (no carrier: d0's peer is down)
        Assert.Equal(("macvlan", (int?)_ns.D0Index), (link.Kind, link.ParentIndex));
        Assert.Equal("1", Sysctl("arp_ignore"));
        Assert.Equal("0", Sysctl("rp_filter"));

        Assert.Throws<NetlinkException>(() => rtnetlink.CreateMacvlan("vrrp.51", _ns.D0Index, PhysicalAddress.Parse("00-00-5E-00-01-33")));
        rtnetlink.DeleteLink(link.Index);
        Assert.Null(rtnetlink.Link("vrrp.51"));
        Assert.Equal("veth", rtnetlink.Link("d0")!.Kind);
    }

    private string Sysctl(string name)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["netns", "exec", _ns.Name, "cat", $"/proc/sys/net/ipv4/conf/vrrp.51/{name}"]) { RedirectStandardOutput = true })!;
        var value = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return value;
    }
}
