using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Agent.Tests;

/// <summary>
/// The node runtime with fake ports (links, a recording address table, sockets that hear nothing) and fake time:
/// apply, a partial apply and its retry, a reload in place, a restart that resumes as master, and stop.
/// </summary>
public sealed class NodeAgentTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly ManualTimeProvider _time = new();
    private readonly FakePorts _ports = new();
    private readonly NodeAgent _agent;

    public NodeAgentTests() => _agent = new NodeAgent(_ports, _time, Serilog.Core.Logger.None);

    public void Dispose() => _agent.Dispose();

    private static NodeVrrpInstance Instance(string name, int vrid, string iface, params string[] vips) => new()
    {
        Name = name,
        Interface = iface,
        VirtualRouterId = vrid,
        Version = 3,
        AdvertInterval = Interval,
        Priority = 100,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [.. vips.Select(v => new VirtualAddressSpec { Address = IpPrefix.Parse(v) })],
    };

    private static NodeDesiredState Node(params NodeVrrpInstance[] instances) => new() { Node = "ka1", VrrpInstances = [.. instances] };

    private string State(string name) => _agent.Status().Single(s => s.Name == name).State.ToString();

    private void MasterDown() => _time.Advance(VrrpTimers.MasterDownInterval(100, Interval));

    [Fact]
    public void Apply_StartsEachInstanceAsBackup_MasterAfterMasterDownInterval_WithItsVips()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth0", "198.51.100.101/24")));

        Assert.Equal(["Backup", "Backup"], _agent.Status().Select(s => s.State.ToString()));
        Assert.Empty(_ports.Held());
        Assert.Empty(_agent.NotRunning());

        MasterDown();

        Assert.Equal(["Master", "Master"], _agent.Status().Select(s => s.State.ToString()));
        Assert.Equal(["198.51.100.100", "198.51.100.101"], _ports.Held());
    }

    [Fact]
    public void AnInstanceWhoseInterfaceIsMissing_IsNotRunning_AndStartsWhenItAppears()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth9", "203.0.113.100/24")));

        Assert.Equal(["vi_1"], _agent.Status().Select(s => s.Name));
        Assert.Contains("eth9", Assert.Single(_agent.NotRunning()), StringComparison.Ordinal);
        _agent.StartMissing();
        Assert.Single(_agent.NotRunning()); // still missing: still not running

        _ports.Links.Add(new NetworkLink(9, "eth9", true, true, null));
        _agent.StartMissing();

        Assert.Empty(_agent.NotRunning());
        Assert.Equal("Backup", State("vi_2"));
    }

    [Fact]
    public void AReloadThatAddsAVip_AdjustsTheMasterInPlace()
    {
        var before = Instance("vi_1", 51, "eth0", "198.51.100.100/24");
        _agent.Apply(Node(before));
        MasterDown();
        var since = _agent.Status()[0].Since;

        var plan = _agent.Apply(Node(before with { VirtualAddresses = [.. before.VirtualAddresses, new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.102/24") }] }));

        Assert.Equal(InstanceAction.Adjust, Assert.Single(plan).Action);
        Assert.Equal("Master", State("vi_1"));
        Assert.Equal(since, _agent.Status()[0].Since);
        Assert.Equal(["198.51.100.100", "198.51.100.102"], _ports.Held());
    }

    [Fact]
    public void ARestart_ResumesAsMaster_OnlyWhenEveryVipIsStillThere()
    {
        _ports.Table.Add(new InterfaceAddress(2, IPAddress.Parse("198.51.100.100"), 24, 0, null)); // left by the previous run
        _agent.Predecessor = new PreviousRun([new PreviousMaster("vi_1", "eth0", 51, false), new PreviousMaster("vi_2", "eth0", 52, false)], _time.GetUtcNow());

        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24"), Instance("vi_2", 52, "eth0", "198.51.100.101/24")));

        Assert.Equal("Master", State("vi_1"));
        Assert.StartsWith("resumed: master", _agent.Status()[0].Reason, StringComparison.Ordinal);
        Assert.Equal("Backup", State("vi_2")); // its VIP is gone: a backup may have it
    }

    [Fact]
    public void Stop_ReleasesEveryVip()
    {
        _agent.Apply(Node(Instance("vi_1", 51, "eth0", "198.51.100.100/24")));
        MasterDown();
        Assert.Single(_ports.Held());

        _agent.Stop();

        Assert.Empty(_ports.Held());
        Assert.Empty(_agent.Status());
    }

    /// <summary>eth0 (index 2) exists; VIPs go to a set; sockets hear nothing and send nowhere.</summary>
    private sealed class FakePorts : IVirtualRouterPorts
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
    }

    private sealed class RecordingTable : IAddressTable
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

    private sealed class SilentChannel : IVrrpChannel, IAnnouncer
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
