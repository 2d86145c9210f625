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
}
