using System.Collections;
using System.Runtime.InteropServices;

namespace Vigil.Cli.Commands;

/// <summary>
/// The agent runs without tiered compilation. With it, the runtime keeps recompiling hot methods on a background
/// thread for the first seconds and minutes of a process, and on a small machine that work delayed the takeover
/// timer by 0.2-1.4 ms (measured by test/Vigil.Benchmarks failover; without it the timer fires within 0.01 ms).
/// The setting is read only when a process starts, so the agent re-executes itself, keeping its pid, with
/// DOTNET_TieredCompilation=0; it leaves the variable alone when the operator has set it. A NativeAOT vigil has no JIT
/// and nothing to re-execute for.
/// </summary>
internal static partial class AgentProcess
{
    public const string TieredCompilation = "DOTNET_TieredCompilation";

    /// <summary>Returns only when there is nothing to do or execve(2) failed (the agent then runs as it is).</summary>
    public static void ReexecuteWithoutTieredCompilation()
    {
        if (!OperatingSystem.IsLinux() || !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported
            || Environment.GetEnvironmentVariable(TieredCompilation) is not null)
        {
            return;
        }
        string[] arguments;
        try
        {
            arguments = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{TieredCompilation}=0");
        var argv = NullTerminated(arguments);
        var envp = NullTerminated(environment);
        _ = Execve("/proc/self/exe", argv, envp);
        // Still here: execve failed; free what it would have replaced and carry on.
        foreach (var pointer in argv.Concat(envp))
        {
            Marshal.FreeCoTaskMem(pointer);
        }
    }

    private static nint[] NullTerminated(IEnumerable<string> strings) =>
        [.. strings.Select(Marshal.StringToCoTaskMemUTF8), 0];

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, nint[] argv, nint[] envp);
}
