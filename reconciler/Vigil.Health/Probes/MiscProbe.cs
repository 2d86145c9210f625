using System.ComponentModel;
using System.Diagnostics;
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
        var words = CommandLine.Split(spec.Script);
        if (words.Count == 0)
        {
            return ProbeResult.Failure("empty script");
        }
        var start = spec.User is { } user
            ? new ProcessStartInfo("runuser", ["-u", user, "--", .. words])
            : new ProcessStartInfo(words[0], words.Skip(1));
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var after = spec.Timeout ?? timeout;
        limit.CancelAfter(after);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            return ProbeResult.Failure($"cannot run {words[0]}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.NativeErrorCode)}");
        }
        using (process)
        {
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return ProbeResult.Failure($"{words[0]} killed after {TcpProbe.Seconds(after)} (timeout)");
            }
            return process.ExitCode switch
            {
                0 => ProbeResult.Success("exit 0"),
                var code when spec.DynamicWeight && code >= 2 => ProbeResult.Success($"exit {code}: weight {code - 2}", code - 2),
                var code => ProbeResult.Failure($"exit {code}"),
            };
        }
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
