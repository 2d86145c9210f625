using System.Net;
using Vigil.Core.Desired;

namespace Vigil.Core.Tests;

/// <summary>Small desired states built in code: two nodes ka1/ka2 on eth0 and one instance, changed per test with 'with'.</summary>
internal static class TestStates
{
    public static NodeSpec Node(string name, params string[] eth0) => new()
    {
        Name = name,
        Interfaces = [new NodeInterfaceSpec { Name = "eth0", Addresses = [.. eth0.Select(IpPrefix.Parse)] }],
    };

    public static ClusterSpec Cluster(int version = 2, string advert = "1s") => new()
    {
        Nodes = [Node("ka1", "198.51.100.11/24", "2001:db8::11/64"), Node("ka2", "198.51.100.12/24", "2001:db8::12/64")],
        Defaults = new ClusterDefaults { Interface = "eth0", VrrpVersion = version, AdvertInterval = Durations.Parse(advert) },
    };

    public static VrrpInstanceSpec Instance(int vrid = 51, string vip = "198.51.100.100/24", int ka1 = 100, int ka2 = 80) => new()
    {
        VirtualRouterId = vrid,
        Members = [new VrrpMemberSpec { Node = "ka1", Priority = ka1 }, new VrrpMemberSpec { Node = "ka2", Priority = ka2 }],
        VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse(vip) }],
    };

    public static Resource<T> Named<T>(string name, T spec) => new(name, spec, SourceOrigin.None);

    public static DesiredState State(ClusterSpec? cluster = null, params VrrpInstanceSpec[] instances) => new()
    {
        Cluster = Named("lab", cluster ?? Cluster()),
        VrrpInstances = [.. instances.Select((spec, i) => Named($"vi_{i + 1}", spec))],
    };

    public static VirtualServerSpec Web(IpvsForwarding forwarding = IpvsForwarding.Dr) => new()
    {
        Address = IPAddress.Parse("198.51.100.100"),
        Port = 80,
        Forwarding = forwarding,
        RealServers =
        [
            new RealServerSpec { Address = IPAddress.Parse("198.51.100.21"), HealthCheck = new HealthCheckSpec { Tcp = new TcpCheckSpec() } },
            new RealServerSpec { Address = IPAddress.Parse("198.51.100.22"), HealthCheck = new HealthCheckSpec { HttpGet = new HttpCheckSpec() } },
        ],
    };
}
