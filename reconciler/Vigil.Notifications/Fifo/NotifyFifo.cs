using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;

namespace Vigil.Notifications.Fifo;

/// <summary>
/// One notify FIFO as keepalived keeps it: made (mode 0644, owned by the spec's user) when missing, its reader script
/// started with the path appended, then opened read-write and non-blocking, so that neither a missing reader nor a
/// full pipe ever holds up the engine: a line that does not fit is dropped and counted. Closing removes the FIFO if
/// this made it and closes it (a reader still gets the lines already written, then end of file), then gives the script
/// a second to finish before SIGTERM, as keepalived ends it.
/// </summary>
public sealed class NotifyFifo : IDisposable
{
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly bool _made;
    private readonly Process? _script;
    private int _fd;
    private long _dropped;

    private NotifyFifo(NotifyFifoSpec spec, int fd, bool made, Process? script, ILogger log)
    {
        Spec = spec;
        _fd = fd;
        _made = made;
        _script = script;
        _log = log;
    }

    public NotifyFifoSpec Spec { get; }

    /// <summary>Lines a full pipe had no room for (no reader, or one too slow).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The FIFO open and its script started; null, logged, when it cannot be (the rest of the agent runs on).</summary>
    public static NotifyFifo? Open(NotifyFifoSpec spec, ILogger log)
    {
        var made = FifoCalls.MakeFifo(spec.Path, 0b110_100_100) == 0;
        var error = made ? 0 : Marshal.GetLastPInvokeError();
        if (!made && error != FifoCalls.Exists)
        {
            log.Error("notify FIFO {Path}: cannot make it: {Error}", spec.Path, Marshal.GetPInvokeErrorMessage(error));
            return null;
        }
        if (made && spec.User is not null && !Own(spec, log))
        {
            File.Delete(spec.Path);
            return null;
        }
        var script = spec.Script is { } line ? StartScript(spec, line, log) : null;
        var fd = FifoCalls.Open(spec.Path, FifoCalls.ReadWrite | FifoCalls.NonBlocking | FifoCalls.NoFollow | FifoCalls.CloseOnExec);
        if (fd < 0)
        {
            log.Error("notify FIFO {Path}: cannot open it: {Error}", spec.Path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            Stop(script);
            if (made) File.Delete(spec.Path);
            return null;
        }
        log.Information("notify FIFO {Path}: open{Made}{Script}", spec.Path, made ? " (made)" : "", script is null ? "" : $", reader {spec.Script} started");
        return new NotifyFifo(spec, fd, made, script, log);
    }

    /// <summary>Writes one line whole (a line under PIPE_BUF is atomic); false when the pipe was full and it was dropped.</summary>
    public bool Write(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            if (_fd < 0) return false;
            if (FifoCalls.Write(_fd, bytes, bytes.Length) == bytes.Length) return true;
            var error = Marshal.GetLastPInvokeError();
            // The first drop is logged (and any other error); the count is in the status.
            if (Interlocked.Increment(ref _dropped) == 1 || error != FifoCalls.WouldBlock)
            {
                _log.Warning("notify FIFO {Path}: line dropped ({Error}): {Line}", Spec.Path,
                    error == FifoCalls.WouldBlock ? "the pipe is full: no reader, or a slow one" : Marshal.GetPInvokeErrorMessage(error), line.TrimEnd());
            }
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            // Removed before it is closed, as keepalived does, so that a reader reopening in a loop cannot find it again.
            if (_made) File.Delete(Spec.Path);
            if (_fd >= 0) FifoCalls.Close(_fd);
            _fd = -1;
        }
        Stop(_script);
    }

    private static bool Own(NotifyFifoSpec spec, ILogger log)
    {
        if (FifoCalls.Account(spec.User!) is not var (user, primary))
        {
            log.Error("notify FIFO {Path}: no user {User}", spec.Path, spec.User);
            return false;
        }
        var group = primary;
        if (spec.Group is { } name)
        {
            if (FifoCalls.GroupId(name) is not { } gid)
            {
                log.Error("notify FIFO {Path}: no group {Group}", spec.Path, name);
                return false;
            }
            group = gid;
        }
        if (FifoCalls.ChangeOwner(spec.Path, user, group) != 0)
        {
            log.Error("notify FIFO {Path}: cannot give it to {User}: {Error}", spec.Path, spec.User, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            return false;
        }
        return true;
    }

    private static Process? StartScript(NotifyFifoSpec spec, string line, ILogger log)
    {
        var words = CommandLine.Split(line);
        try
        {
            var process = Process.Start(ScriptProcess.StartInfo([.. words, spec.Path], spec.User, spec.Group))!;
            // Drained, never kept.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            return process;
        }
        catch (Win32Exception e)
        {
            log.Error("notify FIFO {Path}: cannot start {Script}: {Error}", spec.Path, line, Marshal.GetPInvokeErrorMessage(e.NativeErrorCode));
            return null;
        }
    }

    /// <summary>
    /// A reader that stops at end of file has read everything once the FIFO is closed; one that reads on is ended with
    /// SIGTERM (keepalived's way), and killed if it is still there a second after that.
    /// </summary>
    private static void Stop(Process? script)
    {
        if (script is null) return;
        using (script)
        {
            if (script.WaitForExit(1000)) return;
            FifoCalls.Kill(script.Id, 15);
            if (!script.WaitForExit(1000))
            {
                script.Kill(entireProcessTree: true);
            }
        }
    }
}
