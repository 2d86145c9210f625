using System.Text.RegularExpressions;

namespace Vigil.Lab.Chaos;

/// <summary>The state transitions a Vigil agent logged ("vi_1: Backup -> Master (master down), priority 80").</summary>
public static partial class TransitionLog
{
    /// <summary>Where a logged transition does not start in the state the one before it ended in: one missing or doubled.</summary>
    public static IReadOnlyList<string> Gaps(string log)
    {
        var gaps = new List<string>();
        var last = new Dictionary<string, string>();
        foreach (Match m in Transition().Matches(log))
        {
            var instance = m.Groups["instance"].Value;
            if (last.TryGetValue(instance, out var previous) && previous != m.Groups["from"].Value)
            {
                gaps.Add($"{instance}: after -> {previous}, logged {m.Groups["from"].Value} -> {m.Groups["to"].Value}");
            }
            last[instance] = m.Groups["to"].Value;
        }
        return gaps;
    }

    [GeneratedRegex(@"(?<instance>[\w.-]+): (?<from>Initialize|Backup|Master|Fault) -> (?<to>Initialize|Backup|Master|Fault) \(")]
    private static partial Regex Transition();
}
