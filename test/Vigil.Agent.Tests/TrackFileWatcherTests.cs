namespace Vigil.Agent.Tests;

/// <summary>The track file reader on its own: keepalived's 0 for a missing file, said aloud for one that cannot be read.</summary>
public sealed class TrackFileWatcherTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-track-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void UnreadableFile_CountsAsZero_AndIsLoggedOnce_MissingFileIsQuietlyZero()
    {
        var events = new LogEvents();
        using var watcher = new TrackFileWatcher(events.Logger);
        var unreadable = Path.Combine(_folder, "unreadable");
        Directory.CreateDirectory(unreadable); // what open(2) refuses even to root
        var missing = Path.Combine(_folder, "missing");

        watcher.Watch([unreadable, missing]);
        watcher.Refresh();

        Assert.Equal((0L, 0L), (watcher.Value(unreadable), watcher.Value(missing)));
        Assert.Single(events.ToString().Split('\n'), line => line.Contains($"track file {unreadable}: cannot be read", StringComparison.Ordinal));
        Assert.DoesNotContain($"track file {missing}: cannot be read", events.ToString(), StringComparison.Ordinal);

        Directory.Delete(unreadable);
        File.WriteAllText(unreadable, "5\n");
        watcher.Refresh();

        Assert.Equal(5L, watcher.Value(unreadable));
        Assert.True(events.Contains($"track file {unreadable}: readable again"), events.ToString());
    }

    /// <summary>
    /// A file in a folder made after the start is not seen by inotify (there was no folder to watch): the backstop
    /// re-reads every 5 s, here on fake time, and raises the change once.
    /// </summary>
    [Fact]
    public void AFileInAFolderMadeLater_IsPickedUpByTheBackstop_OnFakeTime()
    {
        var time = new Vigil.Tests.ManualTimeProvider();
        using var watcher = new TrackFileWatcher(Serilog.Core.Logger.None, time);
        var changes = 0;
        watcher.Changed += () => Interlocked.Increment(ref changes);
        var later = Path.Combine(_folder, "later", "maintenance");
        watcher.Watch([later]);
        Directory.CreateDirectory(Path.GetDirectoryName(later)!);
        File.WriteAllText(later, "7\n");

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal((0L, 0), (watcher.Value(later), changes));
        time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal((7L, 1), (watcher.Value(later), changes));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, changes); // read again, unchanged: not raised again
    }
}
