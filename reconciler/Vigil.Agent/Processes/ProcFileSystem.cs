namespace Vigil.Agent.Processes;

/// <summary>
/// Reads processes from /proc: the name and state from /proc/PID/stat (a zombie is not running, as keepalived and
/// unlike pgrep), and as much of /proc/PID/cmdline as matching needs. A process that ends while it is read is skipped.
/// </summary>
public sealed class ProcFileSystem(string root = "/proc")
{
    public IEnumerable<(int Pid, ProcessIdentity Identity)> All(int commandLineBytes)
    {
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && Read(pid, commandLineBytes) is { } identity)
            {
                yield return (pid, identity);
            }
        }
    }

    /// <summary>The process's name and command line; null when it is gone or a zombie.</summary>
    public ProcessIdentity? Read(int pid, int commandLineBytes)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(root, pid.ToString(), "stat"));
            // "PID (NAME) STATE ...": the name may hold ')' and spaces, so the last ')' ends it.
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || close + 2 >= stat.Length || stat[close + 2] == 'Z')
            {
                return null;
            }
            var name = stat[(open + 1)..close];
            if (commandLineBytes == 0)
            {
                return ProcessIdentity.Named(name);
            }
            using var file = new FileStream(Path.Combine(root, pid.ToString(), "cmdline"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            var buffer = new byte[commandLineBytes];
            var length = 0;
            while (length < buffer.Length && file.Read(buffer, length, buffer.Length - length) is var read and > 0)
            {
                length += read;
            }
            return new ProcessIdentity(name, buffer.AsMemory(0, length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // ended while read (ENOENT, ESRCH), or not ours to read
        }
    }

    /// <summary>
    /// One /proc/PID/ns/net for each network namespace other than this process's that a running process is in, lowest
    /// pid first (the initial namespace is the first processes'); those that may not be read are left out.
    /// </summary>
    public IEnumerable<string> NetworkNamespaces()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (Namespace(Path.Combine(root, "self", "ns", "net")) is { } own)
        {
            seen.Add(own);
        }
        var pids = Directory.EnumerateDirectories(root).Select(f => int.TryParse(Path.GetFileName(f), out var pid) ? pid : 0).Where(p => p > 0).Order();
        foreach (var pid in pids)
        {
            var path = Path.Combine(root, pid.ToString(), "ns", "net");
            if (Namespace(path) is { } id && seen.Add(id))
            {
                yield return path;
            }
        }
    }

    /// <summary>"net:[INODE]", the namespace's identity; null when the link may not be read.</summary>
    private static string? Namespace(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
