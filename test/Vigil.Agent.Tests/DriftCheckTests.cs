using System.Net;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Tests;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent.Tests;

/// <summary>
/// The periodic drift check on a fake kernel and fake time: a master's VIP removed by hand and an address added by
/// hand, reported in report mode, undone in correct mode; an address that was there before the agent is only reported.
/// </summary>
public sealed class DriftCheckTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeKernel _kernel = new();
    private readonly NodeAgent _agent;
    private readonly LoadedRevision _loaded;

    public DriftCheckTests()
    {
        _agent = new NodeAgent(_kernel, _time, Serilog.Core.Logger.None);
        _loaded = RevisionLoader.Load(AgentHostTests.Revision(new string('a', 40), AgentHostTests.Instance("vi_1", 51, "198.51.100.100")), "ka1", Serilog.Core.Logger.None, out _)!;
        _kernel.Table.Add(Address("198.51.100.11")); // the node's own address, as the Cluster lists it
        _agent.Apply(_loaded.Node);
        _time.Advance(VrrpTimers.MasterDownInterval(100, TimeSpan.FromMilliseconds(100)));
    }

    public void Dispose() => _agent.Dispose();

    private static InterfaceAddress Address(string address) => new(2, IPAddress.Parse(address), 24, 0, null);

    private DriftReport Check(DriftMode mode) => new DriftCheck(_kernel, _agent, Serilog.Core.Logger.None, mode).Run(_loaded.Node, _loaded.Cluster, null);

    [Theory]
    [InlineData(DriftMode.Report)]
    [InlineData(DriftMode.Correct)]
    public void ChangesByHand_AreReported_AndUndoneOnlyInCorrectMode(DriftMode mode)
    {
        Assert.Equal("Master", _agent.Status()[0].State.ToString());
        Assert.Empty(Check(mode).Items);
        _kernel.Table.Delete(Address("198.51.100.100"));
        _kernel.Table.Add(Address("203.0.113.7"));
        _agent.AddressChanged(new AddressEvent(true, Address("203.0.113.7"))); // the watcher saw it added
        _kernel.Table.Add(Address("203.0.113.8")); // there before the agent looked: maybe the operator's own

        var report = Check(mode);

        Assert.Equal([DriftKind.VipMissingOnMaster, DriftKind.AddressAdded, DriftKind.AddressAdded], report.Items.Select(i => i.Kind));
        if (mode == DriftMode.Correct)
        {
            Assert.Equal(["added 198.51.100.100/24 on eth0", "removed 203.0.113.7/24 on eth0"], report.Corrected);
            Assert.Equal(["198.51.100.100", "198.51.100.11", "203.0.113.8"], _kernel.Held());
        }
        else
        {
            Assert.Empty(report.Corrected);
            Assert.Equal(["198.51.100.11", "203.0.113.7", "203.0.113.8"], _kernel.Held());
        }
        Assert.Equal(1, report.Totals[DriftKind.VipMissingOnMaster]);
    }
}
