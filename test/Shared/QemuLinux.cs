using System.Diagnostics;

namespace Vigil.Tests;

/// <summary>
/// Debian's own kernel (linux-image-amd64, IPVS as modules) under QEMU, prepared by test/guest/prepare under
/// test/.cache/linux: the host's root is shared read-only over 9p (an overlay on a tmpfs makes it writable), the run's
/// folder read-write, and test/guest/qemu-init switches root into it. It boots on any x86-64 host; without KVM (TCG)
/// the .NET runtime is several times slower than under user-mode Linux, so keep the work done inside small.
/// </summary>
internal sealed class QemuLinux(bool kvm) : GuestKernel
{
    public const string Emulator = "/usr/bin/qemu-system-x86_64";

    private static readonly string Cache = Path.Combine(RepoPaths.Root, "test", ".cache", "linux");

    /// <summary>Why this harness cannot run here (QEMU or the prepared kernel missing), or null.</summary>
    public static string? Unavailable =>
        !File.Exists(Emulator) ? "QEMU is not installed (test/run installs qemu-system-x86)"
        : KernelImage is null || InitialRamDisk is null ? "no guest kernel under test/.cache/linux (test/run runs test/guest/prepare)"
        : null;

    public override string Name => $"QEMU ({(kvm ? "KVM" : "TCG")}) with Debian's kernel {Release}";

    public override double Slowness => kvm ? 1 : 3;

    private static string? KernelImage => Directory.Exists(Path.Combine(Cache, "boot"))
        ? Directory.GetFiles(Path.Combine(Cache, "boot"), "vmlinuz-*").OrderBy(path => path, StringComparer.Ordinal).LastOrDefault()
        : null;

    private static string Release => Path.GetFileName(KernelImage ?? "vmlinuz-?")["vmlinuz-".Length..];

    private static string? InitialRamDisk => Path.Combine(Cache, $"initrd-{Release}.gz") is var path && File.Exists(path) ? path : null;

    protected override ProcessStartInfo Start(string folder, string name) => new(Emulator,
    [
        "-accel", kvm ? "kvm" : "tcg,thread=multi", "-cpu", "max",
        "-name", name, "-m", "3072", "-smp", "2", "-nographic", "-no-reboot", "-nic", "none",
        "-kernel", KernelImage!, "-initrd", InitialRamDisk!,
        "-append", string.Join(' ', ["console=ttyS0", "panic=-1", "rdinit=/init", "quiet", $"VIGIL_MODULES={Path.Combine(Cache, "lib", "modules")}", .. InitVariables(folder)]),
        "-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
        "-virtfs", $"local,path={folder},mount_tag=out,security_model=none,multidevs=remap",
    ]);
}
