using System.Diagnostics;
using System.Globalization;

namespace Vigil.Tests;

/// <summary>
/// A Linux kernel with IPVS, booted by a test as a process with the host's filesystem as its root (under a writable
/// overlay), running one shell script and powering off: how IPVS is tested on a host whose own kernel has none.
/// Two harnesses, probed in this order: user-mode Linux (fast, but Debian's 6.1 panics on CPUs with AMX) and QEMU with
/// Debian's own kernel (with KVM when a short probe shows it works, else TCG). <c>VIGIL_GUEST_KERNEL</c> forces one:
/// <c>uml</c>, <c>qemu</c> (KVM if it works, else TCG) or <c>qemu-tcg</c>.
/// </summary>
internal abstract class GuestKernel
{
    /// <summary>Set inside the guest (by test/guest/stage2) for the script and what it runs.</summary>
    public const string InsideVariable = "VIGIL_IN_GUEST";

    public const string ChoiceVariable = "VIGIL_GUEST_KERNEL";

    private static readonly Lazy<(GuestKernel? Kernel, string Why)> Probed = new(Probe);

    private static int _counter;

    public static bool IsInside => Environment.GetEnvironmentVariable(InsideVariable) == "1";

    /// <summary>The kernel this process boots its guests with (probed once), or null with <see cref="UnavailableReason"/>.</summary>
    public static GuestKernel? Chosen => Probed.Value.Kernel;

    /// <summary>Why no guest can be booted here, or null.</summary>
    public static string? UnavailableReason => Probed.Value.Kernel is null ? Probed.Value.Why : null;

    /// <summary>What boots the guests and why that one ("user-mode Linux ...", "QEMU (TCG) ...: UML panicked").</summary>
    public static string Description => Probed.Value.Kernel is { } kernel ? $"{kernel.Name} ({Probed.Value.Why})" : Probed.Value.Why;

    /// <summary>A name a person recognises: which harness and which kernel.</summary>
    public abstract string Name { get; }

    /// <summary>How much slower than user-mode Linux a guest run is, for timeouts.</summary>
    public abstract double Slowness { get; }

    /// <summary>Boots a guest, runs <paramref name="script"/> in it (sh, as root, with the root writable), powers off.</summary>
    public (int ExitCode, string Output) Run(string script, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("vigil-guest-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "run.sh"), script);
            var name = $"vigil{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
            var start = Start(folder, name);
            start.RedirectStandardOutput = start.RedirectStandardError = start.RedirectStandardInput = true;
            using var process = Process.Start(start)!;
            var console = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            var limit = timeout * Slowness;
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"{Name} did not power off within {limit.TotalSeconds:F0} s; console:\n{Clean(console.Result)}");
            }
            var status = Path.Combine(folder, "status");
            if (!File.Exists(status))
            {
                throw new InvalidOperationException($"{Name}: the guest left no exit status (exit {process.ExitCode}); console:\n{Clean(console.Result)}{Clean(errors.Result)}");
            }
            return (int.Parse(File.ReadAllText(status).Trim(), CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(folder, "output")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The process that boots a guest whose init reads VIGIL_OUT (the shared folder), VIGIL_RUN and VIGIL_STAGE2.</summary>
    protected abstract ProcessStartInfo Start(string folder, string name);

    /// <summary>Extra key=value words on the kernel command line reach init as environment variables; no spaces.</summary>
    protected static string[] InitVariables(string folder) =>
    [
        $"VIGIL_OUT={folder}", $"VIGIL_RUN={Path.Combine(folder, "run.sh")}",
        $"VIGIL_STAGE2={Path.Combine(RepoPaths.Root, "test", "guest", "stage2")}",
    ];

    private static string Clean(string console) => console.Replace("\r", "", StringComparison.Ordinal);

    private static (GuestKernel? Kernel, string Why) Probe()
    {
        if (Environment.UserName != "root")
        {
            return (null, "booting a guest kernel with the host's root needs root (test/run runs as root)");
        }
        var choice = Environment.GetEnvironmentVariable(ChoiceVariable) is { Length: > 0 } value ? value : "auto";
        switch (choice)
        {
            case "uml":
                return UserModeLinux.Unavailable is { } umlMissing ? (null, umlMissing) : (new UserModeLinux(), $"{ChoiceVariable}=uml");
            case "qemu":
                return QemuKernel($"{ChoiceVariable}=qemu");
            case "qemu-tcg":
                return QemuLinux.Unavailable is { } qemuMissing ? (null, qemuMissing) : (new QemuLinux(kvm: false), $"{ChoiceVariable}=qemu-tcg");
            case "auto":
                break;
            default:
                return (null, $"{ChoiceVariable}={choice}: expected uml, qemu, qemu-tcg or auto");
        }
        string umlWhy;
        if (UserModeLinux.Unavailable is { } missing)
        {
            umlWhy = missing;
        }
        else
        {
            var uml = new UserModeLinux();
            if (Boots(uml, out var failure))
            {
                return (uml, "probed: it boots here");
            }
            umlWhy = $"user-mode Linux does not boot here: {failure}";
        }
        var qemu = QemuKernel(umlWhy);
        return qemu.Kernel is null ? (null, $"{umlWhy}; {qemu.Why}") : qemu;
    }

    private static (GuestKernel? Kernel, string Why) QemuKernel(string why)
    {
        if (QemuLinux.Unavailable is { } missing)
        {
            return (null, missing);
        }
        if (File.Exists("/dev/kvm"))
        {
            var kvm = new QemuLinux(kvm: true);
            if (Boots(kvm, out var failure))
            {
                return (kvm, $"{why}; KVM probed: it boots");
            }
            return (new QemuLinux(kvm: false), $"{why}; KVM does not boot here ({failure})");
        }
        return (new QemuLinux(kvm: false), $"{why}; no /dev/kvm");
    }

    /// <summary>A short boot that runs <c>true</c>: whether this harness works on this machine.</summary>
    private static bool Boots(GuestKernel kernel, out string failure)
    {
        try
        {
            var (exitCode, output) = kernel.Run("exit 0", TimeSpan.FromSeconds(30));
            failure = exitCode == 0 ? "" : $"exit {exitCode}: {output}";
            return exitCode == 0;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // The console's last lines say why (UML: "ptrace set fp regs failed"; KVM: an MSR it cannot set).
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            failure = string.Join(" | ", lines.Skip(1).TakeLast(2));
            return false;
        }
    }
}
