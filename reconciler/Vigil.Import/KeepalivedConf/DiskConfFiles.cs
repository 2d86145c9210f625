using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Import.KeepalivedConf;

/// <summary>keepalived.conf and its includes from the disk.</summary>
public sealed class DiskConfFiles : IConfFiles
{
    /// <summary>keepalived reads lines of up to 2 KiB and configurations are small; this bounds a mistaken path.</summary>
    private const long MaxFileBytes = 16 * 1024 * 1024;

    public string? Read(string path, out string? error)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                error = $"larger than {MaxFileBytes / 1024 / 1024} MiB";
                return null;
            }
            error = null;
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }
    }

    public IReadOnlyList<string> Glob(string pattern)
    {
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> paths = ["/"];
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (!ConfGlob.HasWildcard(segment))
            {
                paths = paths.Select(p => Path.Combine(p, segment)).Where(p => last ? File.Exists(p) : Directory.Exists(p));
                continue;
            }
            var regex = ConfGlob.Segment(segment);
            paths = paths.SelectMany(p => Entries(p, last)).Where(p => regex.IsMatch(Path.GetFileName(p)));
        }
        return [.. paths.Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> Entries(string directory, bool files)
    {
        try
        {
            return files ? Directory.GetFiles(directory) : Directory.GetDirectories(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>glob(3)'s wildcards within one path segment: * ? and [...] (a leading dot is matched only explicitly).</summary>
public static class ConfGlob
{
    public static bool HasWildcard(string segment) => segment.AsSpan().IndexOfAny("*?[") >= 0;

    public static Regex Segment(string segment)
    {
        var pattern = new StringBuilder(segment.StartsWith('.') ? "^" : "^(?!\\.)");
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            var close = c == '[' && i + 2 < segment.Length ? segment.IndexOf(']', i + 2) : -1;
            if (c == '*')
            {
                pattern.Append(".*");
            }
            else if (c == '?')
            {
                pattern.Append('.');
            }
            else if (close > 0)
            {
                var set = segment[(i + 1)..close];
                pattern.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else
            {
                pattern.Append(Regex.Escape(c.ToString()));
            }
        }
        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Whether a whole absolute path matches a pattern, segment by segment (in-memory files).</summary>
    public static bool Matches(string pattern, string path)
    {
        var patternSegments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathSegments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return patternSegments.Length == pathSegments.Length
            && patternSegments.Zip(pathSegments).All(p => HasWildcard(p.First) ? Segment(p.First).IsMatch(p.Second) : p.First == p.Second);
    }
}
