using System.Diagnostics;

namespace Vigil.Tests;

/// <summary>
/// Debian's user-mode Linux kernel (6.1, IPVS as modules), an ordinary process with the host's filesystem as its root
/// (hostfs); its init is test/guest/uml-init. One CPU, every system call trapped: run prebuilt programs. It panics at
/// boot on CPUs with AMX ("ptrace set fp regs failed"), where <see cref="QemuLinux"/> takes over.
/// </summary>
internal sealed class UserModeLinux : GuestKernel
{
    public const string Kernel = "/usr/bin/linux.uml";

    /// <summary>Why this harness cannot run here (not installed), or null.</summary>
    public static string? Unavailable => File.Exists(Kernel) ? null : "user-mode Linux is not installed (test/run installs user-mode-linux)";

    public override string Name => $"user-mode Linux ({Kernel})";

    public override double Slowness => 1;

    protected override ProcessStartInfo Start(string folder, string name) => new(Kernel,
    [
        "mem=768M", $"umid={name}", $"uml_dir={folder}", "rootfstype=hostfs", "rootflags=/", "ro",
        $"init={Path.Combine(RepoPaths.Root, "test", "guest", "uml-init")}", "con=null", "con0=null,fd:1", "quiet",
        .. InitVariables(folder),
    ]);
}
