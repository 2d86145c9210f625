using System.Net;
using Vigil.Core.Desired;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.StateMachine;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Engine;

/// <summary>
/// An instance's VIPs on the kernel follow its state and its latest definition, whatever order a reload's edit and a
/// transition come in: the kernel is checked after both settle (a recording address table stands for it).
/// </summary>
public sealed class VirtualRouterAddressTests
{
    private static readonly NodeVrrpInstance Instance = new()
    {
        Name = "vi_1",
        Interface = "eth0",
        VirtualRouterId = 51,
        Version = 3,
        AdvertInterval = TimeSpan.FromMilliseconds(100),
        Priority = 100,
        Preempt = true,
        SourceAddress = IPAddress.Parse("198.51.100.11"),
        VirtualAddresses = [new VirtualAddressSpec { Address = IpPrefix.Parse("198.51.100.100/24") }],
    };

    private static InterfaceAddress Vip(int last) => new(2, IPAddress.Parse($"198.51.100.{last}"), 24, 0, null);

    /// <summary>
    /// Reloads that swap the VIPs (100+101, then 100+102) race forced transitions (Fault, Backup, Master by
    /// Master_Down_Interval): at each pause, a master holds exactly its latest VIPs and anything else holds none.
    /// Before the edit was serialised with the transitions, a VIP was left on a backup (defect 7).
    /// </summary>
    [Fact]
    public void ReloadEdits_DuringForcedTransitions_LeaveExactlyTheLatestVips_OnlyOnAMaster()
    {
        var time = new ManualTimeProvider();
        var kernel = new RecordingAddressTable();
        IReadOnlyList<InterfaceAddress>[] sets = [[Vip(100), Vip(101)], [Vip(100), Vip(102)]];
        using var router = new VirtualRouter(Instance, sets[0], new VirtualRouterPorts(new SilentChannel(), kernel, new SilentChannel()), time, Serilog.Core.Logger.None);
        router.Start();
        var down = VrrpTimers.MasterDownInterval(Instance.Priority, Instance.AdvertInterval);
        time.Advance(down);
        Assert.Equal(VrrpState.Master, router.State);

        for (var round = 0; round < 300; round++)
        {
            using var go = new Barrier(2);
            var latest = sets[0];
            var edits = new Thread(() =>
            {
                go.SignalAndWait(TestContext.Current.CancellationToken);
                for (var i = 0; i < 4; i++)
                {
                    latest = sets[(round + i) % 2];
                    router.Redefine(Instance, latest);
                }
            });
            edits.Start();
            go.SignalAndWait(TestContext.Current.CancellationToken);
            router.SetFault(true, "test");
            router.SetFault(false, "test");
            time.Advance(down);
            edits.Join();
            if (round % 3 == 0)
            {
                router.SetFault(true, "test"); // end some rounds away from master
            }
            router.WaitForAddresses();

            var held = kernel.Held();
            Assert.True(router.State == VrrpState.Master ? held.SetEquals(latest) : held.Count == 0,
                $"round {round}: {router.State} holds [{string.Join(", ", held.Select(a => a.Address))}], latest VIPs [{string.Join(", ", latest.Select(a => a.Address))}]");
            router.SetFault(false, "test");
            time.Advance(down);
        }
    }

    /// <summary>Stop removes the VIPs before it returns: the process may exit right after.</summary>
    [Fact]
    public void Stop_RemovesTheVips_BeforeItReturns()
    {
        var time = new ManualTimeProvider();
        var kernel = new RecordingAddressTable();
        using var router = new VirtualRouter(Instance, [Vip(100)], new VirtualRouterPorts(new SilentChannel(), kernel, new SilentChannel()), time, Serilog.Core.Logger.None);
        router.Start();
        time.Advance(VrrpTimers.MasterDownInterval(Instance.Priority, Instance.AdvertInterval));
        router.WaitForAddresses();
        Assert.Single(kernel.Held());

        router.Stop();

        Assert.Empty(kernel.Held());
    }

    /// <summary>
    /// The instance counts a VIP as its own from before it asks the kernel to add it until before it asks to delete it:
    /// the kernel's notification of its own add may come after a takeover was undone, and was reported as someone
    /// else's ("VipAddedOutsideMaster ... by someone else", seen in the chaos suite's lossy link).
    /// </summary>
    [Fact]
    public void AVip_IsTheInstancesOwn_FromBeforeItsAddUntilBeforeItsDelete()
    {
        var time = new ManualTimeProvider();
        var kernel = new WitnessTable();
        using var router = new VirtualRouter(Instance, [Vip(100)], new VirtualRouterPorts(new SilentChannel(), kernel, new SilentChannel()), time, Serilog.Core.Logger.None);
        kernel.Router = router;
        router.Start();
        time.Advance(VrrpTimers.MasterDownInterval(Instance.Priority, Instance.AdvertInterval));
        Assert.True(Eventually(() => kernel.Seen.Contains("add: ours")), string.Join(", ", kernel.Seen));
        var before = kernel.Seen.Count;

        router.SetFault(true, "test");
        Assert.True(Eventually(() => kernel.Seen.Count == before + 1), string.Join(", ", kernel.Seen));

        Assert.Equal("delete: not ours", kernel.Seen[^1]);
        Assert.DoesNotContain("add: not ours", kernel.Seen);
        Assert.False(router.MadeVip(Vip(100)));
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

    /// <summary>Notes, as each change reaches the kernel, whether the instance already counts the VIP as its own.</summary>
    private sealed class WitnessTable : IAddressTable
    {
        public VirtualRouter? Router { get; set; }

        public List<string> Seen { get; } = [];

        public bool Add(InterfaceAddress address)
        {
            lock (Seen)
            {
                Seen.Add($"add: {(Router!.MadeVip(address) ? "ours" : "not ours")}");
            }
            return true;
        }

        public bool Delete(InterfaceAddress address)
        {
            lock (Seen)
            {
                Seen.Add($"delete: {(Router!.MadeVip(address) ? "ours" : "not ours")}");
            }
            return true;
        }
    }
}
