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
}
