using System.Globalization;

namespace Vigil.Core.Desired;

/// <summary>Durations as operators write them: <c>100ms</c>, <c>1s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h</c>.</summary>
public static class Durations
{
    // Kept in step with the "duration" pattern in schemas/common.schema.json.
    public const string Pattern = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$";

    private static readonly System.Buffers.SearchValues<char> Number = System.Buffers.SearchValues.Create("0123456789.");

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var unitStart = text.AsSpan().IndexOfAnyExcept(Number);
        if (unitStart <= 0)
        {
            return false;
        }
        if (!decimal.TryParse(text.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        decimal? millisecondsPerUnit = text[unitStart..] switch
        {
            "ms" => 1m,
            "s" => 1_000m,
            "m" => 60_000m,
            "h" => 3_600_000m,
            _ => null,
        };
        if (millisecondsPerUnit is null)
        {
            return false;
        }
        // A duration too long for a TimeSpan is no duration (fuzzing found "99999999999999999h" overflowed).
        if (value > (decimal)TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond / millisecondsPerUnit.Value)
        {
            return false;
        }
        duration = TimeSpan.FromTicks((long)(value * millisecondsPerUnit.Value * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration like 100ms, 1s or 5m");

    /// <summary>The shortest exact form: 1s rather than 1000ms, 100ms rather than 0.1s.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (decimal)duration.Ticks / TimeSpan.TicksPerMillisecond;
        if (ms != 0 && ms % 3_600_000m == 0) return (ms / 3_600_000m).ToString(CultureInfo.InvariantCulture) + "h";
        if (ms != 0 && ms % 60_000m == 0) return (ms / 60_000m).ToString(CultureInfo.InvariantCulture) + "m";
        if (ms % 1_000m == 0) return (ms / 1_000m).ToString(CultureInfo.InvariantCulture) + "s";
        if (ms < 1_000m) return ms.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        return (ms / 1_000m).ToString("0.######", CultureInfo.InvariantCulture) + "s";
    }
}
