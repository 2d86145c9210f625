using System.Text.RegularExpressions;

namespace Vigil.Tests;

/// <summary>Test programs run inside the guest kernel (see <see cref="GuestKernel"/>).</summary>
internal static class GuestTestRun
{
    /// <summary>
    /// Runs <paramref name="testExecutable"/> (an xUnit v3 test program built on the host) in a guest with ip_vs loaded,
    /// filtered to the tests with the given trait, and asserts that they all ran and passed: none skipped, since a skip
    /// would mean the guest had no IPVS. Without a guest kernel it skips (under CI, fails) with the reason. Returns the
    /// output, which starts with the harness that ran it.
    /// </summary>
    public static string Run(string testExecutable, string trait, string value)
    {
        Skips.IfMissing(GuestKernel.UnavailableReason);
        var kernel = GuestKernel.Chosen!;
        // VIGIL_GUEST_CLASS=Namespace.Class runs only that class in the guest (a developer's loop; CI runs them all).
        var only = Environment.GetEnvironmentVariable("VIGIL_GUEST_CLASS") is { Length: > 0 } name ? $" -class {name}" : "";
        var (exitCode, output) = kernel.Run($"""
            export HOME=/root DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
            guest-modprobe ip_vs || exit 90
            exec {testExecutable} -noColor -showLiveOutput -trait {trait}={value}{only}
            """, TimeSpan.FromMinutes(6));
        var header = $"guest kernel: {GuestKernel.Description}";
        Assert.True(exitCode == 0, $"{header}\n{output}");
        var summary = Regex.Match(output, @"Total: (?<total>[1-9]\d*), Errors: 0, Failed: 0, Skipped: 0");
        Assert.True(summary.Success, $"{header}\n{output}");
        // test/run reads this line: how many ran in the guest (as many host copies must have skipped) and where.
        TestContext.Current.TestOutputHelper?.WriteLine($"guest tests: {summary.Groups["total"].Value} passed in {GuestKernel.Description}");
        return $"{header}\n{output}";
    }
}
