using System.Net;
using Vigil.Core.Desired;
using Vigil.Tests;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Engine;

/// <summary>
/// The kernel filter an instance asks its socket for: nothing while adverts come at a peer's pace (a foreign router
/// must show in the status); under a flood of lower-priority adverts, a preempting backup drops the priorities below
/// its own, following its state and priority, for 30 s at a time. A master and a backup that does not preempt (or
/// preempts after a delay) drop nothing.
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
    public void UnderAFlood_APreemptingBackupDropsBelowItsPriority_FollowsIt_AndLiftsTheFilterAfterThirtySeconds()
    {
        var time = new ManualTimeProvider();
        var channel = new FloodChannel();
        var instance = Instance();
        using var router = new VirtualRouter(instance, [], new VirtualRouterPorts(channel, new RecordingAddressTable(), channel), time, Serilog.Core.Logger.None);
        router.Start();
        channel.Send(10); // a peer's pace
        Assert.True(Eventually(() => channel.Delivered == 10));
        Assert.False(channel.Filter?.DropsAny ?? false);

        channel.Send(AdvertFlood.Threshold + 1);

        Assert.True(Eventually(() => channel.Filter == new LowerPriorityFilter(51, 3, 100)), $"{channel.Filter}");
        Assert.Equal(100, router.Status().KernelDropsBelow);
        router.UpdatePriority(80); // a tracked script failed: the filter follows
        Assert.Equal(new LowerPriorityFilter(51, 3, 80), channel.Filter);

        // Thirty seconds of the master's adverts (the flood is dropped in the kernel meanwhile): still backup, filter lifted.
        for (var step = 0; step < AdvertFlood.Hold / instance.AdvertInterval; step++)
        {
            var delivered = channel.Delivered;
            channel.SendMasterAdvert();
            Assert.True(Eventually(() => channel.Delivered > delivered));
            time.Advance(instance.AdvertInterval);
        }
        Assert.Equal(VrrpState.Backup, router.State);
        Assert.True(Eventually(() => channel.Filter is { DropsAny: false }), $"{channel.Filter}");
        Assert.Equal(0, router.Status().KernelDropsBelow);

        channel.Send(AdvertFlood.Threshold + 1); // still flooding: on again
        Assert.True(Eventually(() => channel.Filter is { Below: 80 }), $"{channel.Filter}");
        time.Advance(VrrpTimers.MasterDownInterval(80, instance.AdvertInterval));
        Assert.Equal(VrrpState.Master, router.State);
        Assert.Equal(0, channel.Filter!.Below); // a master hears every advert
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

    private static bool Eventually(Func<bool> condition)
    {
        var until = Environment.TickCount64 + 5000;
        while (!condition() && Environment.TickCount64 < until)
        {
            Thread.Sleep(5);
        }
        return condition();
    }

    /// <summary>Lower-priority adverts (priority 50, VRID 51) as many as asked, and the master's (200) one at a time; remembers the filter asked for.</summary>
    private sealed class FloodChannel : IVrrpChannel, IAnnouncer
    {
        private static readonly IPAddress Forged = IPAddress.Parse("203.0.113.9");
        private readonly ReceivedAdvertisement _advert = new(VrrpRejection.None, Forged, IPAddress.Parse("224.0.0.18"), new VrrpAdvertisement
        {
            Version = 3, VirtualRouterId = 51, Priority = 50, AdvertisementInterval = 10, IpAddresses = [IPAddress.Parse("198.51.100.100")],
        });
        private readonly ReceivedAdvertisement _master = new(VrrpRejection.None, IPAddress.Parse("198.51.100.12"), IPAddress.Parse("224.0.0.18"), new VrrpAdvertisement
        {
            Version = 3, VirtualRouterId = 51, Priority = 200, AdvertisementInterval = 10, IpAddresses = [IPAddress.Parse("198.51.100.100")],
        });
        private int _pending;
        private int _masterPending;
        private int _delivered;

        public IPAddress SourceAddress => IPAddress.Parse("198.51.100.11");

        public LowerPriorityFilter? Filter { get; private set; }

        public int Delivered => Volatile.Read(ref _delivered);

        public void Send(int count) => Interlocked.Add(ref _pending, count);

        public void SendMasterAdvert() => Interlocked.Increment(ref _masterPending);

        public void Send(VrrpAdvertisement advertisement, IPAddress destination)
        {
        }

        public ReceivedAdvertisement? Receive(TimeSpan timeout)
        {
            if (Interlocked.Exchange(ref _masterPending, 0) > 0)
            {
                Interlocked.Increment(ref _delivered);
                return _master;
            }
            if (Interlocked.Decrement(ref _pending) >= 0)
            {
                Interlocked.Increment(ref _delivered);
                return _advert;
            }
            Interlocked.Increment(ref _pending);
            Thread.Sleep(5);
            return null;
        }

        public void Ignore(LowerPriorityFilter filter) => Filter = filter;

        public void Announce(IReadOnlyList<IPAddress> addresses, int times)
        {
        }

        public void Dispose()
        {
        }
    }
}
