using Vigil.Tests;

namespace Vigil.Benchmarks;

/// <summary>Runs this benchmark program again inside the guest kernel (root), whose kernel has the IPVS this host's lacks.</summary>
internal static class InGuest
{
    /// <summary>Boots the guest, loads <paramref name="modules"/>, runs the program with <paramref name="arguments"/> and prints its output.</summary>
    public static int Run(string benchmark, string header, string arguments, TimeSpan timeout, params string[] modules)
    {
        if (GuestKernel.UnavailableReason is { } reason)
        {
            Console.Error.WriteLine($"{benchmark}: {reason}");
            return 2;
        }
        var self = Path.Combine(AppContext.BaseDirectory, "Vigil.Benchmarks");
        Console.WriteLine($"{benchmark}: booting {GuestKernel.Description}, {header}");
        var load = string.Concat(modules.Select((module, i) => $"guest-modprobe {module} || exit {90 + i}\n"));
        var (exitCode, output) = GuestKernel.Chosen!.Run($"""
            export HOME=/root DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
            {load}exec {self} {benchmark} {arguments}
            """, timeout);
        Console.Write(output);
        return exitCode == 0 ? 0 : 1;
    }
}
