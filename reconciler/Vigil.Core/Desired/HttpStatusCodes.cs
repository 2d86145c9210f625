using System.Globalization;

namespace Vigil.Core.Desired;

/// <summary>
/// The status codes an HTTP check accepts, written as keepalived's status_code is: codes and ranges separated by
/// spaces ("200-299 301 503"), each from 100 to 599.
/// </summary>
public sealed record HttpStatusCodes(IReadOnlyList<(int From, int To)> Ranges)
{
    public bool Contains(int code) => Ranges.Any(r => code >= r.From && code <= r.To);

    /// <summary>keepalived's default when a url names none: any 2xx.</summary>
    public static readonly HttpStatusCodes AnySuccess = new([(200, 299)]);

    public static bool TryParse(string text, out HttpStatusCodes codes, out string? error)
    {
        var ranges = new List<(int, int)>();
        codes = new HttpStatusCodes(ranges);
        error = null;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = word.IndexOf('-', StringComparison.Ordinal);
            if (!int.TryParse(dash < 0 ? word : word[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(dash < 0 ? word : word[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from is < 100 or > 599 || to is < 100 or > 599 || from > to)
            {
                error = $"'{word}' is not a status code (100-599) or a range of them (200-299)";
                return false;
            }
            ranges.Add((from, to));
        }
        if (ranges.Count == 0)
        {
            error = "no status code";
            return false;
        }
        return true;
    }

    public override string ToString() => string.Join(' ', Ranges.Select(r => r.From == r.To
        ? r.From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{r.From}-{r.To}")));
}
