using Vigil.Core.Desired;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent.Tests;

/// <summary>The node's kernel for the agent's unit tests: eth0 (index 2) exists; VIPs go to a set; sockets hear nothing and send nowhere.</summary>
internal sealed class FakeKernel : IVirtualRouterPorts, INodeKernel
{
    public List<NetworkLink> Links { get; } = [new(2, "eth0", true, true, null)];

    public RecordingAddressTable Table { get; } = new();

    /// <summary>Every instance's channel opened so far, in order.</summary>
    public List<SilentChannel> Channels { get; } = [];

    public List<string> Held() => [.. Table.Held().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];

    public IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance) => VirtualAddresses.Resolve(instance, Links);

    public VirtualRouterPorts Open(NodeVrrpInstance instance, bool joinGroup = false)
    {
        if (Links.All(l => l.Name != instance.Interface))
        {
            throw new InvalidOperationException($"instance {instance.Name}: interface {instance.Interface} does not exist on this node");
        }
        var silent = new SilentChannel();
        Channels.Add(silent);
        return new VirtualRouterPorts(silent, Table, silent);
    }

    public IReadOnlyList<InterfaceAddress> Addresses() => [.. Table.Held()];

    IReadOnlyList<NetworkLink> IVirtualRouterPorts.Links() => [.. Links];

    public IVirtualRouterPorts Ports => this;

    IAddressTable INodeKernel.Addresses => Table;

    public RecordingRoutingTable Routing { get; } = new();

    IRoutingTable INodeKernel.Routing => Routing;

    /// <summary>Each nft script applied, in order.</summary>
    public List<string> NftScripts { get; } = [];

    Firewall.INftables INodeKernel.Nftables => new RecordingNftables(NftScripts);

    private sealed class RecordingNftables(List<string> scripts) : Firewall.INftables
    {
        public string? Apply(string script)
        {
            lock (scripts) scripts.Add(script);
            return null;
        }
    }

    public IIpvsKernel OpenIpvs() => throw new IpvsUnavailableException();

    public IDisposable? Watch(Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged, Action missed, Serilog.ILogger log, int receiveBuffer) => null;

    public StartupWitness? Witness(IReadOnlyList<PreviousMaster> masters, TimeProvider time, Serilog.ILogger log) => null;

    public void Dispose()
    {
    }
}
