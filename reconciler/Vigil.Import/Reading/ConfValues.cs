using System.Globalization;
using System.Net;
using Vigil.Core.Desired;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Reading;

/// <summary>keepalived's values read as Vigil writes them; each returns null (and says why) when the value is no good.</summary>
internal sealed class ConfValues(NodeFindings findings)
{
    /// <summary>Seconds, with decimals (keepalived's timers), as a Vigil duration ("1s", "100ms").</summary>
    public string? Duration(ConfStatement statement, int index = 0)
    {
        var text = statement.Argument(index);
        if (text is not null && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= 100_000_000m)
        {
            return Durations.Format(TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)));
        }
        findings.NotImported(statement, $"'{text}' is not a number of seconds");
        return null;
    }

    public int? Integer(ConfStatement statement, int index = 0, long min = int.MinValue, long max = int.MaxValue)
    {
        var text = statement.Argument(index);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return (int)value;
        }
        findings.NotImported(statement, text is null ? "has no value" : $"'{text}' is not a whole number from {min} to {max}");
        return null;
    }

    public long? UnsignedLong(ConfStatement statement, int index, long max)
    {
        var text = statement.Argument(index);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max)
        {
            return value;
        }
        findings.NotImported(statement, $"'{text}' is not a whole number up to {max}");
        return null;
    }

    public string? Address(ConfStatement statement, string? text)
    {
        if (text is not null && IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
        {
            return address.ToString();
        }
        findings.NotImported(statement, $"'{text}' is not an IP address");
        return null;
    }

    /// <summary>ADDRESS[/LENGTH]; keepalived takes a bare address as a host route (/32, /128), and so does the import.</summary>
    public string? Prefix(ConfStatement statement, string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(address, out var parsed))
        {
            findings.NotImported(statement, $"'{text}' is not an address");
            return null;
        }
        var maximum = parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        if (slash < 0)
        {
            return $"{parsed}/{maximum}";
        }
        if (int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length <= maximum)
        {
            return $"{parsed}/{length}";
        }
        findings.NotImported(statement, $"'{text}' has no valid prefix length");
        return null;
    }

    /// <summary>A script keyword's command and optional user and group, read with keepalived's quotes and escapes.</summary>
    public (string Command, string? User, string? Group)? Script(ConfStatement statement)
    {
        var words = ConfWords.Escaped(statement.Text, out var error);
        if (words is null || words.Count < 2)
        {
            findings.NotImported(statement, error ?? "names no script");
            return null;
        }
        var argv = ConfWords.Escaped(words[1], out error);
        if (argv is null || argv.Count == 0)
        {
            findings.NotImported(statement, error ?? "names no script");
            return null;
        }
        return (CommandLine.Join(argv), words.Count > 2 ? words[2] : null, words.Count > 3 ? words[3] : null);
    }
}
