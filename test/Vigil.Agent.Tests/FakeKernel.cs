using System.Net;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;
using Vigil.Core.Desired;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.Transport;

namespace Vigil.Agent.Tests;

/// <summary>Fakes of the node's kernel for the agent's unit tests.</summary>
internal static class FakeKernels
{
    /// <summary>eth0 (index 2) exists; VIPs go to a set; sockets hear nothing and send nowhere.</summary>
    internal sealed class FakeKernel : IVirtualRouterPorts, INodeKernel
    {
        public List<NetworkLink> Links { get; } = [new(2, "eth0", true, true, null)];

        public RecordingTable Table { get; } = new();

        public List<string> Held() => [.. Table.Addresses().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];

        public IReadOnlyList<InterfaceAddress> Resolve(NodeVrrpInstance instance) => VirtualAddresses.Resolve(instance, Links);

        public VirtualRouterPorts Open(NodeVrrpInstance instance)
        {
            if (Links.All(l => l.Name != instance.Interface))
            {
                throw new InvalidOperationException($"instance {instance.Name}: interface {instance.Interface} does not exist on this node");
            }
            var silent = new SilentChannel();
            return new VirtualRouterPorts(silent, Table, silent);
        }

        public IReadOnlyList<InterfaceAddress> Addresses() => Table.Addresses();

        IReadOnlyList<NetworkLink> IVirtualRouterPorts.Links() => [.. Links];

        public IVirtualRouterPorts Ports => this;

        IAddressTable INodeKernel.Addresses => Table;

        public IIpvsKernel OpenIpvs() => throw new IpvsUnavailableException();

        public IDisposable? Watch(Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged, Action missed, Serilog.ILogger log, int receiveBuffer) => null;

        public StartupWitness? Witness(IReadOnlyList<PreviousMaster> masters, TimeProvider time, Serilog.ILogger log) => null;

        public void Dispose()
        {
        }
    }

    internal sealed class RecordingTable : IAddressTable
    {
        private readonly HashSet<InterfaceAddress> _held = [];

        public bool Add(InterfaceAddress address)
        {
            lock (_held)
            {
                return _held.Add(address);
            }
        }

        public bool Delete(InterfaceAddress address)
        {
            lock (_held)
            {
                return _held.Remove(address);
            }
        }

        public IReadOnlyList<InterfaceAddress> Addresses()
        {
            lock (_held)
            {
                return [.. _held];
            }
        }
    }

    internal sealed class SilentChannel : IVrrpChannel, IAnnouncer
    {
        public IPAddress SourceAddress => IPAddress.Parse("198.51.100.11");

        public void Send(VrrpAdvertisement advertisement, IPAddress destination)
        {
        }

        public ReceivedAdvertisement? Receive(TimeSpan timeout)
        {
            Thread.Sleep(10);
            return null;
        }

        public void Announce(IReadOnlyList<IPAddress> addresses, int times)
        {
        }

        public void Dispose()
        {
        }
    }
}
