using System.Globalization;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's FILE_CHECK: reads the number in the file as keepalived does (strtol with base 0: 12, 0x1f, 017; 0 when
/// the file is missing, empty or not a number) and judges it by <see cref="FileCheckSpec"/>: weight 0 makes the file a
/// switch; any other weight moves the real server's own <paramref name="serverWeight"/> by number × weight (negated
/// under reverse), the pool weight staying within 0..65535.
/// </summary>
public sealed class FileProbe(FileCheckSpec spec, int serverWeight) : IHealthProbe
{
    public Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        var value = Read(spec.Path);
        if (spec.Weight == 0)
        {
            var failed = (value != 0) != spec.Reverse;
            return Task.FromResult(failed ? ProbeResult.Failure($"{spec.Path}: {value}") : ProbeResult.Success($"{spec.Path}: {value}"));
        }
        var moved = serverWeight + value * spec.Weight * (spec.Reverse ? -1 : 1);
        var weight = (int)Math.Clamp(moved, 0, 65535);
        return Task.FromResult(ProbeResult.Success($"{spec.Path}: {value}, weight {weight}", weight));
    }

    /// <summary>The file's number as strtol(text, NULL, 0) reads its start; 0 for anything else.</summary>
    public static long Read(string path)
    {
        string text;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[127];
            text = System.Text.Encoding.ASCII.GetString(buffer, 0, file.Read(buffer));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        var s = text.TrimStart();
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        var (digits, style, radix) = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (s[2..], NumberStyles.AllowHexSpecifier, 16)
            : s.Length > 1 && s[0] == '0' ? (s[1..], NumberStyles.None, 8)
            : (s, NumberStyles.None, 10);
        var length = digits.TakeWhile(c => radix == 16 ? Uri.IsHexDigit(c) : radix == 8 ? c is >= '0' and <= '7' : char.IsAsciiDigit(c)).Count();
        if (length == 0) return 0;
        long value;
        if (radix == 8)
        {
            value = 0;
            foreach (var c in digits[..length]) value = value * 8 + (c - '0');
        }
        else if (!long.TryParse(digits[..length], style, CultureInfo.InvariantCulture, out value))
        {
            return 0;
        }
        return negative ? -value : value;
    }
}
