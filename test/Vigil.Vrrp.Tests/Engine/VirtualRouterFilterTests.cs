using System.Net;
using Vigil.Core.Desired;
using Vigil.Tests;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.Engine;

/// <summary>
/// The kernel filter an instance asks its socket for follows its state and priority: a preempting backup drops the
/// priorities below its own, a master and a backup that does not preempt (or preempts after a delay) drop nothing.
/// </summary>
public sealed class VirtualRouterFilterTests
{
    private static NodeVrrpInstance Instance(bool preempt = true, TimeSpan preemptDelay = default) => new()
    {
        Name = "vi_1",
        Interface = "eth0",
        VirtualRouterId = 51,
        Version = 3,
        AdvertInterval = TimeSpan.FromMilliseconds(100),
        Priority = 100,
        Preempt = preempt,
        PreemptDelay = preemptDelay,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") }],
    };

    [Fact]
    public void APreemptingBackup_DropsBelowItsPriority_AndAMasterDropsNothing()
    {
        var time = new ManualTimeProvider();
        var channel = new SilentChannel();
        var instance = Instance();
        using var router = new VirtualRouter(instance, [], new VirtualRouterPorts(channel, new RecordingAddressTable(), channel), time, Serilog.Core.Logger.None);

        router.Start();
        Assert.Equal(new LowerPriorityFilter(51, 3, 100), channel.Filter);
        Assert.Equal(100, router.Status().KernelDropsBelow);

        router.UpdatePriority(80); // a tracked script failed
        Assert.Equal(new LowerPriorityFilter(51, 3, 80), channel.Filter);

        time.Advance(VrrpTimers.MasterDownInterval(80, instance.AdvertInterval));
        Assert.Equal(VrrpState.Master, router.State);
        Assert.Equal(0, channel.Filter!.Below);
        Assert.Equal(0, router.Status().KernelDropsBelow);

        router.SetFault(true, "test");
        Assert.Equal(0, channel.Filter!.Below);
        router.SetFault(false, "test");
        Assert.Equal(VrrpState.Backup, router.State);
        Assert.Equal(80, channel.Filter!.Below);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 2)]
    public void ABackupThatWaitsToPreempt_DropsNothing(bool preempt, int delaySeconds)
    {
        var time = new ManualTimeProvider();
        var channel = new SilentChannel();
        using var router = new VirtualRouter(Instance(preempt, TimeSpan.FromSeconds(delaySeconds)), [],
            new VirtualRouterPorts(channel, new RecordingAddressTable(), channel), time, Serilog.Core.Logger.None);

        router.Start();

        Assert.Equal(VrrpState.Backup, router.State);
        Assert.False(channel.Filter?.DropsAny ?? false);
        Assert.Equal(0, router.Status().KernelDropsBelow);
    }
}
