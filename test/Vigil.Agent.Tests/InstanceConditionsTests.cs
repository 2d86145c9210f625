using System.Net;
using Vigil.Core.Desired;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent.Tests;

/// <summary>Each instance of the running revision judged from plain values: running, starting, in Fault, or not running at all.</summary>
public sealed class InstanceConditionsTests
{
    private static NodeVrrpInstance Instance(string name) => new() { Name = name, Interface = "eth0", VirtualRouterId = 51 };

    private static VirtualRouterStatus Router(string name, VrrpState state, string reason) =>
        new(name, state, 100, null, DateTimeOffset.UnixEpoch, reason, 0, 0, 0, new Dictionary<Vigil.Vrrp.Protocol.VrrpRejection, long>());

    [Fact]
    public void EveryDeclaredInstance_HasReadyProgressingAndStalled_WithWhy()
    {
        var running = new NodeDesiredState { Node = "ka1", VrrpInstances = [Instance("vi_1"), Instance("vi_2"), Instance("vi_3"), Instance("vi_4")] };
        IReadOnlyList<VirtualRouterStatus> routers =
            [Router("vi_1", VrrpState.Master, "master down"), Router("vi_2", VrrpState.Fault, "tracked interface eth1 down"), Router("vi_3", VrrpState.Initialize, "not started")];

        var conditions = InstanceConditions.Of(running, routers, new Dictionary<string, string> { ["vi_4"] = "interface eth9 does not exist" });

        string Of(string name) => string.Join(", ", conditions[name].Select(c => $"{c.Type}={c.Status}"));
        Assert.Equal(["vi_1", "vi_2", "vi_3", "vi_4"], conditions.Keys);
        Assert.Equal("Ready=True, Progressing=False, Stalled=False", Of("vi_1"));
        Assert.Equal("Ready=False, Progressing=False, Stalled=True", Of("vi_2"));
        Assert.Equal("Ready=False, Progressing=True, Stalled=False", Of("vi_3"));
        Assert.Equal("Ready=False, Progressing=False, Stalled=True", Of("vi_4"));
        Assert.Equal("master: master down", conditions["vi_1"][0].Reason);
        Assert.Equal("fault: tracked interface eth1 down", conditions["vi_2"][2].Reason);
        Assert.Equal("not running: interface eth9 does not exist", conditions["vi_4"][2].Reason);
        Assert.Empty(InstanceConditions.Of(null, [], new Dictionary<string, string>()));
    }
}
