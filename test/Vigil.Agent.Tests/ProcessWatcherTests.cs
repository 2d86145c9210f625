using System.Diagnostics;
using Vigil.Agent.Processes;
using Vigil.Core.Desired;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// The process watcher against the real kernel: processes this test starts (copies of sleep and sh under names no
/// other process has) are counted as they start, are renamed and end, through the kernel's process events and,
/// where those are not to be had, by reading /proc.
/// </summary>
public sealed class ProcessWatcherTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-processes-").FullName;
    private readonly List<Process> _started = [];
    private readonly LogEvents _log = new();

    private static string? SkipReason => Environment.UserName == "root" ? null : "process events need CAP_NET_ADMIN: run as root";

    /// <summary>A copy of <paramref name="program"/> named vtp-TAG-RANDOM (15 characters at most: the kernel's name for it).</summary>
    private string Copy(string program, string tag)
    {
        var path = Path.Combine(_folder, $"vtp-{tag}-{Random.Shared.Next(0x10000):x4}");
        File.Copy(program, path);
        return path;
    }

    private Process Start(string path, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(path, arguments) { RedirectStandardInput = true })!;
        _started.Add(process);
        return process;
    }

    private static void Kill(Process process)
    {
        process.Kill();
        process.WaitForExit();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Processes_AreCountedAsTheyStartAndEnd(bool events)
    {
        Skips.IfMissing(SkipReason);
        var sleep = Copy("/bin/sleep", events ? "ev" : "po");
        var name = Path.GetFileName(sleep);
        var two = new TrackProcessSpec { Process = name, Quorum = 2 };
        var exact = new TrackProcessSpec { Process = sleep, Arguments = ["301"] };
        using var watcher = new ProcessWatcher(_log.Logger, useEvents: events);
        var changes = 0;
        watcher.Changed += () => Interlocked.Increment(ref changes);

        watcher.Watch([two, exact]);
        Assert.False(watcher.Up(two));
        Assert.Equal(0, watcher.Count(two));

        var first = Start(sleep, "300");
        Assert.True(FailoverLab.WaitUntil(() => watcher.Count(two) == 1, Within), _log.ToString());
        Assert.False(watcher.Up(two));
        Assert.False(watcher.Up(exact)); // 300 is not 301
        var second = Start(sleep, "301");
        Assert.True(FailoverLab.WaitUntil(() => watcher.Up(two) && watcher.Up(exact), Within), _log.ToString());
        Assert.True(Volatile.Read(ref changes) > 0);

        Kill(second);
        Assert.True(FailoverLab.WaitUntil(() => !watcher.Up(two) && !watcher.Up(exact), Within), _log.ToString());
        Assert.Equal(1, watcher.Count(two));
        Assert.Equal(events ? "process events" : "polling /proc", watcher.Mode);
        Assert.Contains($"track process {name}: quorum lost (1 running, 2 or more wanted)", _log.ToString());
        Kill(first);
        Assert.True(FailoverLab.WaitUntil(() => watcher.Count(two) == 0, Within), _log.ToString());
    }

    [Fact]
    public void Rename_IsSeen_AndAForkCountsTheChild()
    {
        Skips.IfMissing(SkipReason);
        var shell = Copy("/bin/sh", "sh");
        var renamed = $"vtp-rn-{Random.Shared.Next(0x10000):x4}";
        var tracked = new TrackProcessSpec { Process = renamed };
        var forks = new TrackProcessSpec { Process = Path.GetFileName(shell), Quorum = 2 };
        using var watcher = new ProcessWatcher(_log.Logger);
        watcher.Watch([tracked, forks]);

        // The shell renames itself (the kernel's comm event), then on a line forks a subshell that waits for another.
        var process = Start(shell, "-c", $"printf {renamed} > /proc/$$/comm; read line; (read other); read last");
        Assert.True(FailoverLab.WaitUntil(() => watcher.Up(tracked), Within), _log.ToString());
        Assert.Equal(0, watcher.Count(forks)); // renamed: no longer the shell's name

        process.StandardInput.WriteLine("fork"); // the subshell keeps the renamed name, and counts through the fork
        Assert.True(FailoverLab.WaitUntil(() => watcher.Count(tracked) == 2, Within), _log.ToString());
        process.StandardInput.WriteLine("end"); // the subshell reads it and exits
        Assert.True(FailoverLab.WaitUntil(() => watcher.Count(tracked) == 1, Within), _log.ToString());

        Kill(process);
        Assert.True(FailoverLab.WaitUntil(() => !watcher.Up(tracked), Within), _log.ToString());
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
