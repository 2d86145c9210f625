using System.Collections.Concurrent;
using Serilog;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Agent;

/// <summary>
/// The numbers in the instances' track files, re-read when a file changes (inotify, through FileSystemWatcher on its
/// folder) and every few seconds besides, since a folder may appear after the start. A missing or unreadable file
/// counts as 0, as in keepalived; a change is logged and raised on <see cref="Changed"/>.
/// </summary>
/// <param name="time">The backstop's clock (the system's when null; tests give fake time).</param>
public sealed class TrackFileWatcher(ILogger log, TimeProvider? time = null) : IDisposable
{
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, long> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileSystemWatcher> _folders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unreadable = new(StringComparer.Ordinal);
    private ITimer? _timer;

    public event Action? Changed;

    /// <summary>The file's number as last read (0 when it is not watched or not there).</summary>
    public long Value(string path) => _values.GetValueOrDefault(path);

    /// <summary>Watches exactly <paramref name="paths"/> from now on, read once before this returns.</summary>
    public void Watch(IEnumerable<string> paths)
    {
        lock (_gate)
        {
            var wanted = paths.ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _values.Keys.Where(p => !wanted.Contains(p)))
            {
                _values.TryRemove(gone, out _);
            }
            foreach (var path in wanted.Where(p => !_values.ContainsKey(p)))
            {
                _values[path] = Read(path) ?? 0;
                log.Information("track file {File}: {Value}", path, _values[path]);
            }
            WatchFolders();
            _timer ??= (time ?? TimeProvider.System).CreateTimer(_ => Refresh(), null, Backstop, Backstop);
        }
    }

    /// <summary>Re-reads every file; raises <see cref="Changed"/> once if any number changed.</summary>
    public void Refresh()
    {
        var changed = false;
        lock (_gate)
        {
            WatchFolders();
            foreach (var path in _values.Keys)
            {
                if (Read(path) is { } value && value != _values[path])
                {
                    log.Information("track file {File}: {Previous} -> {Value}", path, _values[path], value);
                    _values[path] = value;
                    changed = true;
                }
            }
        }
        if (changed)
        {
            Changed?.Invoke();
        }
    }

    private void WatchFolders()
    {
        var folders = _values.Keys.Select(p => Path.GetDirectoryName(p)!).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _folders.Keys.Where(f => !folders.Contains(f)).ToList())
        {
            _folders.Remove(gone, out var watcher);
            watcher!.Dispose();
        }
        foreach (var folder in folders.Where(f => !_folders.ContainsKey(f) && Directory.Exists(f)))
        {
            var watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            FileSystemEventHandler handler = (_, e) => { if (_values.ContainsKey(e.FullPath)) Refresh(); };
            watcher.Changed += handler;
            watcher.Created += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (_, e) => { if (_values.ContainsKey(e.FullPath) || _values.ContainsKey(e.OldFullPath)) Refresh(); };
            watcher.EnableRaisingEvents = true;
            _folders[folder] = watcher;
        }
    }

    /// <summary>The number in the file; 0 when it is missing or unreadable; null when it is out of range (kept as it was).</summary>
    private long? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[127];
            var length = stream.Read(buffer);
            var number = TrackFileNumber.Parse(System.Text.Encoding.ASCII.GetString(buffer, 0, length));
            if (number is null)
            {
                log.Warning("track file {File}: not a 32-bit number, ignored", path);
            }
            if (_unreadable.TryRemove(path, out _))
            {
                log.Information("track file {File}: readable again", path);
            }
            return number;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            _unreadable.TryRemove(path, out _);
            return 0; // keepalived's rule: no file is 0, which is not an error
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Counted as 0 as keepalived does, but said, once per reason: a file the agent may not read is a mistake.
            if (_unreadable.TryGetValue(path, out var known) is false || known != e.Message)
            {
                _unreadable[path] = e.Message;
                log.Warning("track file {File}: cannot be read ({Error}), counted as 0", path, e.Message);
            }
            return 0;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            foreach (var watcher in _folders.Values)
            {
                watcher.Dispose();
            }
            _folders.Clear();
        }
    }
}
