namespace Vigil.Vrrp.Engine;

/// <summary>
/// One instance's repeated warnings, kept to one line per reason per window: an advert that cannot be sent ten times a
/// second must not fill the log, yet the first occurrence and how many followed are always said.
/// </summary>
public sealed class RepeatedWarnings(TimeProvider time, TimeSpan window)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset LoggedAt, long Suppressed)> _seen = new(StringComparer.Ordinal);

    /// <summary>What a logged warning adds when others like it were held back.</summary>
    public static string Suffix(long suppressed) => suppressed > 0 ? $" (and {suppressed} more times since the last such warning)" : "";

    /// <summary>True when <paramref name="reason"/> should be logged now; <paramref name="suppressed"/> says how many were not since.</summary>
    public bool ShouldLog(string reason, out long suppressed)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_seen.TryGetValue(reason, out var seen) && now - seen.LoggedAt < window)
            {
                _seen[reason] = seen with { Suppressed = seen.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = seen.Suppressed;
            _seen[reason] = (now, 0);
            return true;
        }
    }
}
