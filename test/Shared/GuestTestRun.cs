namespace Vigil.Tests;

/// <summary>Test programs run inside user-mode Linux (see <see cref="UserModeLinux"/>).</summary>
internal static class GuestTestRun
{
    /// <summary>
    /// Runs <paramref name="testExecutable"/> (an xUnit v3 test program built on the host) in a guest with ip_vs loaded,
    /// filtered to the tests with the given trait, and asserts that they all ran and passed: none skipped, since a skip
    /// would mean the guest had no IPVS. Skips outside root or without UML, and inside a guest. Returns the output.
    /// </summary>
    public static string Run(string testExecutable, string trait, string value)
    {
        if (UserModeLinux.IsInside)
        {
            Assert.Skip("already inside the guest");
        }
        if (UserModeLinux.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
        var (exitCode, output) = UserModeLinux.Run($"""
            export HOME=/root DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
            uml-modprobe ip_vs || exit 90
            exec {testExecutable} -noColor -trait {trait}={value}
            """, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"Total: [1-9]\d*, Errors: 0, Failed: 0, Skipped: 0", output);
        return output;
    }
}
