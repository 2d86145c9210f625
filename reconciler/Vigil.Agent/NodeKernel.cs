using Serilog;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>
/// The node's kernel as the agent host reaches it: the instances' ports (sockets, addresses, links), the address table
/// drift corrections change, IPVS, the kernel's notifications and the start-up witness. <see cref="NodeKernel"/> is the
/// real one; tests give fakes, so the host's reconcile logic runs on plain values and fake time.
/// </summary>
public interface INodeKernel : IDisposable
{
    IVirtualRouterPorts Ports { get; }

    /// <summary>The addresses drift corrections add and remove.</summary>
    IAddressTable Addresses { get; }

    /// <summary>The routes and rules of instances and of the node (see <see cref="RoutingApplier"/>).</summary>
    IRoutingTable Routing { get; }

    /// <summary>nftables, for accept mode off (see <see cref="Firewall.FirewallApplier"/>).</summary>
    Firewall.INftables Nftables { get; }

    /// <summary>The IPVS table; throws <see cref="IpvsUnavailableException"/> (or a netlink error) where there is none.</summary>
    IIpvsKernel OpenIpvs();

    /// <summary>Link and address notifications from now on, <paramref name="missed"/> when some were lost; null where there are none to watch.</summary>
    IDisposable? Watch(Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged, Action missed, ILogger log, int receiveBuffer);

    /// <summary>Listens on the predecessor's VRIDs while the first revision is read (see <see cref="StartupWitness"/>); null: nothing listens.</summary>
    StartupWitness? Witness(IReadOnlyList<PreviousMaster> masters, TimeProvider time, ILogger log);
}

/// <summary>The real edges: one rtnetlink socket for links and addresses, generic netlink for IPVS, a netlink subscription for notifications.</summary>
public sealed class NodeKernel : INodeKernel
{
    private readonly RtnetlinkClient _rtnetlink;
    private readonly List<IDisposable> _opened = [];

    public NodeKernel(ILogger log)
    {
        _rtnetlink = RtnetlinkClient.Open();
        Ports = new KernelPorts(_rtnetlink, log);
    }

    public IVirtualRouterPorts Ports { get; }

    public IAddressTable Addresses => _rtnetlink;

    public IRoutingTable Routing => _rtnetlink;

    public Firewall.INftables Nftables { get; } = new Firewall.NftCommand();

    public IIpvsKernel OpenIpvs()
    {
        var client = IpvsClient.Open();
        _opened.Add(client);
        return client;
    }

    public IDisposable? Watch(Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged, Action missed, ILogger log, int receiveBuffer) =>
        new KernelWatcher(_rtnetlink.Links, linksChanged, addressChanged, missed, log, receiveBuffer);

    public StartupWitness? Witness(IReadOnlyList<PreviousMaster> masters, TimeProvider time, ILogger log) =>
        StartupWitness.Open(masters, name => _rtnetlink.Link(name)?.Index, time, log);

    public void Dispose()
    {
        foreach (var opened in _opened)
        {
            opened.Dispose();
        }
        _rtnetlink.Dispose();
    }
}
