using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Agent.Processes;

/// <summary>
/// What a tracked process is matched on: the kernel's name for it (/proc/PID/comm) and the start of its command line
/// (/proc/PID/cmdline: words each ending in NUL), which is empty when not read or when it has none (a kernel thread).
/// </summary>
public sealed record ProcessIdentity(string Name, ReadOnlyMemory<byte> CommandLine)
{
    public static ProcessIdentity Named(string name) => new(name, ReadOnlyMemory<byte>.Empty);

    /// <summary>A command line as the kernel writes it, for tests and for what a spec looks for.</summary>
    public static byte[] CommandLineOf(IEnumerable<string> words) => [.. words.SelectMany(w => Encoding.UTF8.GetBytes(w).Append((byte)0))];
}

/// <summary>keepalived's matching of a vrrp_track_process (track_process.c): exact words, compared as bytes.</summary>
public static class ProcessMatch
{
    public static bool Matches(TrackProcessSpec spec, ProcessIdentity process)
    {
        if (!spec.MatchesCommandLine)
        {
            return process.Name == spec.Process;
        }
        var line = process.CommandLine.Span;
        var end = line.IndexOf((byte)0);
        var first = end < 0 ? line : line[..end];
        if (!first.SequenceEqual(Encoding.UTF8.GetBytes(spec.Process)))
        {
            return false;
        }
        ReadOnlySpan<byte> arguments = end < 0 ? [] : line[(end + 1)..];
        var wanted = ProcessIdentity.CommandLineOf(spec.Arguments);
        return spec.EffectiveArgumentMatch switch
        {
            null => true,
            ArgumentMatch.Exact => arguments.SequenceEqual(wanted),
            ArgumentMatch.Partial => arguments.StartsWith(wanted),
            // The last word given may be the start of the process's: compare all but its NUL.
            _ => wanted.Length == 0 || (arguments.Length >= wanted.Length && arguments.StartsWith(wanted.AsSpan(0, wanted.Length - 1))),
        };
    }

    /// <summary>How much of a command line matching needs: one byte past the longest a spec names tells "more" from "equal".</summary>
    public static int CommandLineBytes(IEnumerable<TrackProcessSpec> specs) =>
        specs.Where(s => s.MatchesCommandLine).Select(s => ProcessIdentity.CommandLineOf([s.Process, .. s.Arguments]).Length + 2).DefaultIfEmpty(0).Max();
}
