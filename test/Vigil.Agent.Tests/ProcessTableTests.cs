using Vigil.Agent.Processes;
using Vigil.Core.Desired;

namespace Vigil.Agent.Tests;

/// <summary>keepalived's vrrp_track_process rules, with plain values and fake time: matching, quorum and delays.</summary>
public sealed class ProcessTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ProcessIdentity Command(params string[] words) => new(Path.GetFileName(words[0]), ProcessIdentity.CommandLineOf(words));

    [Theory]
    [InlineData(null, new string[0], "haproxy -f /etc/haproxy.cfg", true)] // the name only
    [InlineData("exact", new string[0], "haproxy -f /etc/haproxy.cfg", false)] // exact with none: no arguments
    [InlineData("exact", new string[0], "haproxy", true)]
    [InlineData("exact", new[] { "-f", "/etc/haproxy.cfg" }, "haproxy -f /etc/haproxy.cfg", true)]
    [InlineData("exact", new[] { "-f" }, "haproxy -f /etc/haproxy.cfg", false)]
    [InlineData("partial", new[] { "-f" }, "haproxy -f /etc/haproxy.cfg", true)]
    [InlineData("partial", new[] { "-f", "/etc/h" }, "haproxy -f /etc/haproxy.cfg", false)]
    [InlineData("initial", new[] { "-f", "/etc/h" }, "haproxy -f /etc/haproxy.cfg", true)]
    [InlineData("initial", new[] { "-f", "/etc/h" }, "haproxy -f /etc/haproxy.cfg -D", true)]
    [InlineData("initial", new[] { "-x" }, "haproxy -f /etc/haproxy.cfg", false)]
    [InlineData("partial", new string[0], "haproxy -f", true)] // partial with none: any
    public void Arguments_MatchAsKeepalivedsParamMatch(string? mode, string[] arguments, string commandLine, bool matches)
    {
        var spec = new TrackProcessSpec
        {
            Process = "haproxy",
            Arguments = [.. arguments],
            ArgumentMatch = mode is null ? null : Enum.Parse<ArgumentMatch>(mode, ignoreCase: true),
        };
        var process = Command(commandLine.Split(' '));
        Assert.Equal(matches, ProcessMatch.Matches(spec, process));
    }

    [Fact]
    public void Name_IsTheKernelsName_AndFullCommandTheFirstWord()
    {
        var byName = new TrackProcessSpec { Process = "nginx" };
        var byPath = new TrackProcessSpec { Process = "/usr/sbin/nginx", FullCommand = true };
        var started = Command("/usr/sbin/nginx", "-g", "daemon off;");
        Assert.True(ProcessMatch.Matches(byName, started));
        Assert.True(ProcessMatch.Matches(byPath, started));
        Assert.False(ProcessMatch.Matches(byPath, Command("nginx", "-g", "daemon off;"))); // started by name, not by path
        Assert.False(ProcessMatch.Matches(new TrackProcessSpec { Process = "ngin" }, started)); // exact, not pgrep's pattern
        Assert.False(ProcessMatch.Matches(byPath, ProcessIdentity.Named("nginx"))); // a kernel thread has no command line
    }

    [Fact]
    public void CommandLineBytes_IsOneMoreThanTheLongestNamed()
    {
        Assert.Equal(0, ProcessMatch.CommandLineBytes([new TrackProcessSpec { Process = "haproxy" }]));
        // "/a\0-x\0" is 6 bytes: 8 tells a longer command line from an equal one.
        Assert.Equal(8, ProcessMatch.CommandLineBytes([new TrackProcessSpec { Process = "/a", Arguments = ["-x"] }]));
    }

    [Fact]
    public void Quorum_HoldsBetweenQuorumAndQuorumMax_TakenAtOnceTheFirstTime()
    {
        var spec = new TrackProcessSpec { Process = "worker", Quorum = 2, QuorumMax = 3 };
        var table = new ProcessTable();
        var first = table.Load([spec], [(10, ProcessIdentity.Named("worker"))], T0);
        Assert.Equal([new QuorumChange(spec, 1, false)], first);

        Assert.Equal([new QuorumChange(spec, 2, true)], table.Execed(11, ProcessIdentity.Named("worker"), T0));
        Assert.Empty(table.Execed(12, ProcessIdentity.Named("worker"), T0));
        Assert.Equal([new QuorumChange(spec, 4, false)], table.Execed(13, ProcessIdentity.Named("worker"), T0)); // above quorumMax
        Assert.Equal([new QuorumChange(spec, 3, true)], table.Exited(13, T0));
        Assert.Empty(table.Exited(99, T0)); // not counted
        Assert.Equal(3, table.Find(spec)!.Count);
    }

    [Fact]
    public void MustNotRun_QuorumMaxZero()
    {
        var spec = new TrackProcessSpec { Process = "backup", Quorum = 0, QuorumMax = 0 };
        var table = new ProcessTable();
        Assert.Equal([new QuorumChange(spec, 0, true)], table.Load([spec], [], T0));
        Assert.Equal([new QuorumChange(spec, 1, false)], table.Execed(20, ProcessIdentity.Named("backup"), T0));
    }

    [Fact]
    public void Fork_CountsTheChild_AfterTheForkDelay_AndAnExitBeforeItEndsIsNoChange()
    {
        var spec = new TrackProcessSpec { Process = "haproxy", Quorum = 2, ForkDelay = TimeSpan.FromSeconds(1) };
        var table = new ProcessTable();
        table.Load([spec], [(100, ProcessIdentity.Named("haproxy")), (1, ProcessIdentity.Named("systemd"))], T0);
        Assert.Empty(table.Forked(1, 5, T0)); // systemd's children are not haproxy's
        Assert.Empty(table.Forked(100, 101, T0));
        Assert.Equal(T0.AddSeconds(1), table.NextDeadline);
        Assert.Empty(table.Tick(T0.AddMilliseconds(999)));
        Assert.Equal([new QuorumChange(spec, 2, true)], table.Tick(T0.AddSeconds(1)));
        Assert.Null(table.NextDeadline);

        // A fork whose child exits within the delay: the quorum never counted as held.
        var again = new ProcessTable();
        again.Load([spec], [(100, ProcessIdentity.Named("haproxy"))], T0);
        again.Forked(100, 101, T0);
        Assert.Empty(again.Exited(101, T0.AddMilliseconds(300)));
        Assert.Null(again.NextDeadline);
        Assert.Empty(again.Tick(T0.AddSeconds(2)));
        Assert.False(again.Find(spec)!.Up);
    }

    [Fact]
    public void Exit_CountsAfterTheTerminateDelay_AndARestartWithinItIsNoFailure()
    {
        var spec = new TrackProcessSpec { Process = "mariadbd", TerminateDelay = TimeSpan.FromSeconds(2) };
        var table = new ProcessTable();
        table.Load([spec], [(200, ProcessIdentity.Named("mariadbd"))], T0);

        Assert.Empty(table.Exited(200, T0));
        Assert.Empty(table.Execed(201, ProcessIdentity.Named("mariadbd"), T0.AddSeconds(1))); // restarted in time
        Assert.Empty(table.Tick(T0.AddSeconds(3)));
        Assert.True(table.Find(spec)!.Up);

        Assert.Empty(table.Exited(201, T0.AddSeconds(10)));
        Assert.Equal([new QuorumChange(spec, 0, false)], table.Tick(T0.AddSeconds(12)));
    }

    [Fact]
    public void ExecAndRename_MatchAgain_ARenameOnlyByName()
    {
        var byName = new TrackProcessSpec { Process = "Web Content" };
        var byPath = new TrackProcessSpec { Process = "/usr/bin/firefox", FullCommand = true };
        var table = new ProcessTable();
        table.Load([byName, byPath], [(300, Command("/usr/bin/firefox", "-contentproc"))], T0);
        Assert.False(table.Find(byName)!.Up);
        Assert.True(table.Find(byPath)!.Up);

        Assert.Equal([new QuorumChange(byName, 1, true)], table.Renamed(300, "Web Content", T0));
        Assert.True(table.Find(byPath)!.Up); // the command line did not change

        Assert.Equal(2, table.Execed(300, Command("/bin/sh"), T0).Count); // an exec leaves both
        Assert.False(table.Find(byName)!.Up);
        Assert.False(table.Find(byPath)!.Up);
    }

    [Fact]
    public void SpecsDifferingInWeightOnly_ShareACount_AndAReloadKeepsWhatWasKnown()
    {
        var heavy = new TrackProcessSpec { Process = "haproxy", Weight = -50, TerminateDelay = TimeSpan.FromSeconds(5) };
        var light = heavy with { Weight = 10, Reverse = true };
        var table = new ProcessTable();
        table.Load([heavy, light], [(1, ProcessIdentity.Named("haproxy"))], T0);
        Assert.Single(table.Quorums);
        Assert.Same(table.Find(heavy), table.Find(light));

        // Read again without the process (a new revision, or lost events): the terminate delay applies, as after an exit.
        Assert.Empty(table.Load([heavy], [], T0));
        Assert.True(table.Find(heavy)!.Up);
        Assert.Equal([new QuorumChange(ProcessTable.Query(heavy), 0, false)], table.Tick(T0.AddSeconds(5)));
    }
}
