using System.Diagnostics;
using System.Globalization;

namespace Vigil.Tests;

/// <summary>
/// Boots Debian's user-mode Linux kernel (6.1, IPVS as modules) as an ordinary process with the host's filesystem as
/// its root, runs a shell script inside and returns its exit status and output: how IPVS is tested on a host whose own
/// kernel has none. The guest's init is test/uml/init. One CPU, every system call trapped: run prebuilt programs.
/// </summary>
internal static class UserModeLinux
{
    public const string Kernel = "/usr/bin/linux.uml";

    /// <summary>Set inside the guest (by test/uml/init) for the script and what it runs.</summary>
    public const string InsideVariable = "VIGIL_IN_UML";

    private static int _counter;

    public static bool IsInside => Environment.GetEnvironmentVariable(InsideVariable) == "1";

    /// <summary>Why a guest cannot be booted here, or null.</summary>
    public static string? SkipReason =>
        !File.Exists(Kernel) ? "user-mode Linux is not installed (test/run installs user-mode-linux)"
        : Environment.UserName != "root" ? "booting user-mode Linux with the host's root needs root (test/run runs as root)"
        : null;

    /// <summary>Boots a guest, runs <paramref name="script"/> in it (sh, with the root writable), powers off.</summary>
    public static (int ExitCode, string Output) Run(string script, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("vigil-uml-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "run.sh"), script);
            var name = $"vigil{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
            // Extra key=value words on the kernel command line reach init as environment variables; they may not hold spaces.
            var start = new ProcessStartInfo(Kernel,
            [
                "mem=768M", $"umid={name}", $"uml_dir={folder}", "rootfstype=hostfs", "rootflags=/", "ro",
                $"init={Path.Combine(RepoPaths.Root, "test", "uml", "init")}", "con=null", "con0=null,fd:1", "quiet",
                $"VIGIL_OUT={folder}", $"VIGIL_RUN={Path.Combine(folder, "run.sh")}",
            ])
            { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            using var process = Process.Start(start)!;
            var console = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"user-mode Linux did not power off within {timeout.TotalSeconds:F0} s; console:\n{console.Result}");
            }
            var status = Path.Combine(folder, "status");
            if (!File.Exists(status))
            {
                throw new InvalidOperationException($"the guest left no exit status; console:\n{console.Result.Replace("\r", "", StringComparison.Ordinal)}");
            }
            return (int.Parse(File.ReadAllText(status).Trim(), CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(folder, "output")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
