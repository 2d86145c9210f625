using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's MISC_CHECK: run a command (no shell: the words of the line are its arguments), as a user when given,
/// killed at the timeout. Exit 0 is up, 1 down; with dynamicWeight, exit 2-255 is up with weight code - 2 (keepalived's
/// misc_dynamic), otherwise any non-zero exit is down.
/// </summary>
public sealed class MiscProbe(MiscCheckSpec spec) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        var exit = await ScriptProcess.RunAsync(spec.Script, spec.User, null, spec.Timeout ?? timeout, cancellation).ConfigureAwait(false);
        return exit.Code switch
        {
            0 => ProbeResult.Success(exit.Reason),
            { } code when spec.DynamicWeight && code >= 2 => ProbeResult.Success($"{exit.Reason}: weight {code - 2}", code - 2),
            _ => ProbeResult.Failure(exit.Reason),
        };
    }
}

/// <summary>A command line split into words as a shell would for plain words and quotes, without running a shell.</summary>
public static class CommandLine
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
