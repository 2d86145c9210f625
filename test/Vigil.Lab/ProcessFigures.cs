using System.Globalization;

namespace Vigil.Lab;

/// <summary>What /proc says of a process: CPU time (user and system, threads that ended included), resident memory, its threads.</summary>
public static class ProcessFigures
{
    /// <summary>User and system CPU time (/proc/PID/stat, fields 14 and 15 of proc(5), clock ticks of 10 ms).</summary>
    public static long CpuNanoseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 10_000_000;
    }

    /// <summary>Each thread's CPU ticks by "tid name".</summary>
    public static IEnumerable<KeyValuePair<string, long>> ThreadTicks(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // a thread that ended between the listing and the read
            }
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            yield return new($"{Path.GetFileName(task)} {name}", long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
    }

    public static long ResidentKib(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
}
