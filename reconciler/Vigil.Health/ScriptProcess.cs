using System.ComponentModel;
using System.Diagnostics;

namespace Vigil.Health;

/// <summary>How a script run ended: its exit code, or why there is none (could not start, killed at the timeout).</summary>
public sealed record ScriptExit(int? Code, string Reason)
{
    public bool Succeeded => Code == 0;
}

/// <summary>
/// Runs a check or vrrp_script command as keepalived does: no shell (the line's words are the program and its
/// arguments), as a user and group when given (runuser), killed with its whole process tree at the timeout.
/// </summary>
public static class ScriptProcess
{
    public static async Task<ScriptExit> RunAsync(string line, string? user, string? group, TimeSpan timeout, CancellationToken cancellation)
    {
        var words = Vigil.Core.Desired.CommandLine.Split(line);
        if (words.Count == 0)
        {
            return new ScriptExit(null, "empty script");
        }
        var start = StartInfo(words, user, group);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            return new ScriptExit(null, $"cannot run {words[0]}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.NativeErrorCode)}");
        }
        using (process)
        {
            // Drained, never kept: a script that prints without end must not fill the agent's memory (only its exit counts).
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return new ScriptExit(null, $"{words[0]} killed after {Vigil.Core.Desired.Durations.Format(timeout)} (timeout)");
            }
            return new ScriptExit(process.ExitCode, $"exit {process.ExitCode}");
        }
    }

    /// <summary>How a script's words start: as they are, or through runuser as <paramref name="user"/> and <paramref name="group"/>; output redirected.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> words, string? user, string? group)
    {
        IEnumerable<string> runAs = [.. user is null ? [] : new[] { "-u", user }, .. group is null ? [] : new[] { "-g", group }];
        var start = user is null && group is null
            ? new ProcessStartInfo(words[0], words.Skip(1))
            : new ProcessStartInfo("runuser", [.. runAs, "--", .. words]);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        return start;
    }
}
