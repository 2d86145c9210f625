using Serilog;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>
/// The macvlan an instance with useVirtualMac runs on, set up as keepalived's use_vmac does: private mode over the
/// instance's interface, the RFC 5798 virtual MAC, up for the instance's whole life (backups hold no address on it, so
/// send nothing from it), removed when the instance stops.
/// </summary>
public sealed class VirtualMacLink : IDisposable
{
    // keepalived's vrrp_if_config.c: the macvlan must not answer ARP for the parent's addresses (arp_ignore), and
    // must accept adverts although it has no address of its own (rp_filter off, accept_local); the parent must not
    // answer ARP for the VIPs on the macvlan (arp_ignore, arp_filter).
    private static readonly Dictionary<Ipv4DeviceSetting, uint> MacvlanSettings = new()
    {
        [Ipv4DeviceSetting.ArpIgnore] = 1,
        [Ipv4DeviceSetting.AcceptLocal] = 1,
        [Ipv4DeviceSetting.RpFilter] = 0,
    };

    private static readonly Dictionary<Ipv4DeviceSetting, uint> ParentSettings = new()
    {
        [Ipv4DeviceSetting.ArpIgnore] = 1,
        [Ipv4DeviceSetting.ArpFilter] = 1,
    };

    // The parent's ARP settings as the operator left them, read by the first macvlan made on it and restored when the
    // last one goes: read again by a second macvlan, they would be Vigil's own, and restored wrong if the first stops first.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, IReadOnlyDictionary<Ipv4DeviceSetting, uint>> ParentsBefore = new();

    private readonly RtnetlinkClient _rtnetlink;
    private readonly NetworkLink _parent;
    private readonly ILogger _log;
    private bool _parentSet;

    private VirtualMacLink(RtnetlinkClient rtnetlink, NetworkLink link, NetworkLink parent, ILogger log)
    {
        _rtnetlink = rtnetlink;
        Link = link;
        _parent = parent;
        _log = log;
    }

    public NetworkLink Link { get; }

    /// <summary>
    /// Creates the macvlan, or takes over the one an earlier run left when it matches (same parent and MAC); a
    /// mismatching macvlan of that name is replaced; any other interface of that name is left alone and refused.
    /// </summary>
    /// <param name="source">The address adverts are sent from; for IPv6 the parent's link-local, which the macvlan gets too.</param>
    public static VirtualMacLink Open(RtnetlinkClient rtnetlink, NodeVrrpInstance instance, NetworkLink parent, System.Net.IPAddress source, ILogger log)
    {
        var name = VirtualMac.InterfaceNameOf(instance);
        var mac = VirtualMac.AddressOf(instance);
        var link = rtnetlink.Link(name);
        if (link is not null && link.Kind != "macvlan")
        {
            throw new InvalidOperationException($"instance {instance.Name}: interface {name} exists and is not a macvlan; Vigil will not touch it");
        }
        if (link is not null && (link.ParentIndex != parent.Index || !mac.Equals(link.HardwareAddress)))
        {
            log.Warning("{Instance}: replacing macvlan {Name}: it has another parent or MAC", instance.Name, name);
            rtnetlink.DeleteLink(link.Index);
            link = null;
        }
        if (link is null)
        {
            link = rtnetlink.CreateMacvlan(name, parent.Index, mac);
            log.Information("{Instance}: created {Name} with virtual MAC {Mac} on {Parent}", instance.Name, name, mac, parent.Name);
        }
        var opened = new VirtualMacLink(rtnetlink, link, parent, log);
        try
        {
            if (instance.Family == IpFamily.IPv4)
            {
                rtnetlink.SetIpv4Config(link.Index, MacvlanSettings);
                ParentsBefore.GetOrAdd(parent.Index, _ => ParentSettings.Keys.ToDictionary(s => s, s => ReadIpv4Setting(parent.Name, s)));
                opened._parentSet = true;
                rtnetlink.SetIpv4Config(parent.Index, ParentSettings);
                // No IPv6 on an IPv4 virtual MAC: a backup's macvlan would otherwise send router solicitations and
                // MLD reports from the shared MAC (keepalived turns it off too).
                DisableIpv6(name);
            }
            else
            {
                // keepalived's way: no link-local made from the shared MAC; the parent's own link-local instead, so adverts
                // leave from a unique address with the virtual MAC.
                rtnetlink.SetNoIpv6AddressGeneration(link.Index);
                if (!rtnetlink.Addresses().Any(a => a.InterfaceIndex == link.Index && a.Address.Equals(source)))
                {
                    rtnetlink.AddWithoutDuplicateDetection(new InterfaceAddress(link.Index, source, 64, source.IsIPv6LinkLocal ? (byte)253 : (byte)0, null));
                }
            }
            rtnetlink.SetUp(link.Index, up: true);
        }
        catch
        {
            opened.Dispose();
            throw;
        }
        return opened;
    }

    /// <summary>net.ipv6.conf.IF.disable_ipv6 has no netlink setter; absent when the kernel has no IPv6.</summary>
    private static void DisableIpv6(string name)
    {
        var path = $"/proc/sys/net/ipv6/conf/{name}/disable_ipv6";
        if (File.Exists(path))
        {
            File.WriteAllText(path, "1");
        }
    }

    /// <summary>The current value, from /proc/sys (the netlink dump of devconf is not worth parsing for two numbers).</summary>
    private static uint ReadIpv4Setting(string device, Ipv4DeviceSetting setting)
    {
        var name = setting switch
        {
            Ipv4DeviceSetting.ArpIgnore => "arp_ignore",
            Ipv4DeviceSetting.ArpFilter => "arp_filter",
            _ => throw new ArgumentOutOfRangeException(nameof(setting)),
        };
        return uint.Parse(File.ReadAllText($"/proc/sys/net/ipv4/conf/{device}/{name}").Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Removes the macvlan and the addresses on it; the parent gets its ARP settings back once no macvlan is left on
    /// it (keepalived's reset_interface_parameters).
    /// </summary>
    public void Dispose()
    {
        try
        {
            _rtnetlink.DeleteLink(Link.Index);
            if (_parentSet && !_rtnetlink.Links().Any(l => l.Kind == "macvlan" && l.ParentIndex == _parent.Index)
                && ParentsBefore.TryRemove(_parent.Index, out var before))
            {
                _rtnetlink.SetIpv4Config(_parent.Index, before);
            }
        }
        catch (Vigil.Netlink.NetlinkException e)
        {
            _log.Warning("macvlan {Name} not removed: {Error}", Link.Name, e.Message);
        }
    }
}
