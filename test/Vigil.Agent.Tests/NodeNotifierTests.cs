using Vigil.Core.Desired;
using Vigil.Vrrp.Engine;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent.Tests;

/// <summary>
/// Transitions to hooks with real scripts and no network: keepalived's arguments for the state's own hook and for
/// `notify`, STOP for a stop, and a failing hook logged (and drained at exit) rather than lost.
/// </summary>
public sealed class NodeNotifierTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-notify-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Script(string name, string body)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static StateTransition Transition(VrrpState from, VrrpState to) => new("vi_1", from, to, "test", 100, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Transitions_RunTheStatesHookAndNotify_WithKeepalivedsArguments_AndAFailureIsLogged()
    {
        var calls = Path.Combine(_folder, "calls");
        var record = Script("record", $"echo \"$0 $*\" >> {calls}");
        var failing = Script("failing", "echo broken >&2; exit 3");
        var events = new LogEvents();
        using var notifier = new NodeNotifier("ka1", events.Logger, () => null);
        var spec = new NotifySpec { OnMaster = record, OnStop = record, Any = record, OnBackup = failing };

        notifier.Transition(Transition(VrrpState.Backup, VrrpState.Master), spec);
        notifier.Transition(Transition(VrrpState.Master, VrrpState.Backup), spec);
        notifier.Transition(Transition(VrrpState.Backup, VrrpState.Initialize), spec);
        notifier.Drain(TimeSpan.FromSeconds(10));

        var lines = File.ReadAllLines(calls).Select(l => l.Replace(record, "record", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        // The state's own hook without arguments (on master, on stop), `notify` with TYPE NAME STATE PRIORITY each time.
        Assert.Equal(["record ", "record ", "record INSTANCE vi_1 BACKUP 100", "record INSTANCE vi_1 MASTER 100", "record INSTANCE vi_1 STOP 100"], lines);
        Assert.Matches(@"notify \S+failing for .*: .*3", events.ToString()); // which hook, for what, and its exit
    }

    /// <summary>
    /// keepalived's vrrp_notify_fifo, byte for byte: the transitions keepalived made in Vectors/keepalived-vrrp-notify-fifo
    /// (a sync group of two instances starting, becoming master, stopping) give the lines keepalived wrote there, GROUP
    /// lines included and in keepalived's order. The FIFO is made by the notifier, read by its reader script (cat), and
    /// gone once the notifier is; the group's own hook runs with keepalived's GROUP arguments.
    /// </summary>
    [Fact]
    public async Task SyncGroupTransitions_AreWrittenToTheFifo_AsKeepalivedWritesThem()
    {
        var fifo = Path.Combine(_folder, "vrrp.fifo");
        var read = Path.Combine(_folder, "read");
        var calls = Path.Combine(_folder, "calls");
        var record = Script("record", $"echo \"$*\" >> {calls}");
        var events = new LogEvents();
        var notifier = new NodeNotifier("ka1", events.Logger, () => null);
        var settings = new NotificationSpec { VrrpFifo = new NotifyFifoSpec { Path = fifo, Script = $"sh -c 'exec cat \"$0\" > {read}'" } };
        notifier.Use(settings, [new NodeSyncGroup("G1", ["VI_1", "VI_2"], new NotifySpec { Any = record })]);
        Assert.True(File.Exists(fifo), events.ToString());
        StateTransition Step(string name, VrrpState from, VrrpState to) => new(name, from, to, "test", name == "VI_1" ? 150 : 120, DateTimeOffset.UnixEpoch);

        notifier.Transition(Step("VI_1", VrrpState.Initialize, VrrpState.Backup), null);
        notifier.Transition(Step("VI_2", VrrpState.Initialize, VrrpState.Backup), null);
        notifier.Transition(Step("VI_2", VrrpState.Backup, VrrpState.Master), null);
        notifier.Transition(Step("VI_1", VrrpState.Backup, VrrpState.Master), null);
        notifier.Transition(Step("VI_1", VrrpState.Master, VrrpState.Initialize), null);
        notifier.Transition(Step("VI_2", VrrpState.Master, VrrpState.Initialize), null);
        notifier.Drain(TimeSpan.FromSeconds(10));
        notifier.Dispose();

        // The reader stops at the end of the FIFO, which closing the last writer makes.
        Assert.True(await Vigil.Tests.Poll.Until(() => File.Exists(read) && File.ReadAllText(read).EndsWith("STOP 0\n", StringComparison.Ordinal), TimeSpan.FromSeconds(5)),
            (File.Exists(read) ? File.ReadAllText(read) : "nothing read") + events);
        Assert.Equal(File.ReadAllText(Path.Combine(Vigil.Tests.RepoPaths.Root, "test", "Vigil.Agent.Tests", "Vectors", "keepalived-vrrp-notify-fifo.txt")), File.ReadAllText(read));
        Assert.False(File.Exists(fifo)); // made by the notifier, so removed by it
        // Each hook runs on its own task: in any order.
        Assert.Equal(["GROUP G1 BACKUP 0", "GROUP G1 MASTER 0", "GROUP G1 STOP 0"], File.ReadAllLines(calls).Order(StringComparer.Ordinal));
    }

    /// <summary>No reader at all: lines past what the pipe holds are dropped and counted, and no transition waits for one.</summary>
    [Fact]
    public void AFifoNobodyReads_DropsLines_NeverBlocks()
    {
        var events = new LogEvents();
        using var notifier = new NodeNotifier("ka1", events.Logger, () => null);
        notifier.Use(new NotificationSpec { Fifo = new NotifyFifoSpec { Path = Path.Combine(_folder, "all.fifo") } }, []);

        // A pipe holds 64 KiB: 3,000 lines of 28 bytes are over that.
        for (var i = 0; i < 1500; i++)
        {
            notifier.Transition(Transition(VrrpState.Backup, VrrpState.Master), null);
            notifier.Transition(Transition(VrrpState.Master, VrrpState.Backup), null);
        }

        Assert.InRange(notifier.FifoLinesDropped, 1, 3000 - 1);
        Assert.Single(events.ToString().Split('\n'), l => l.Contains("line dropped (the pipe is full", StringComparison.Ordinal));
    }
}
