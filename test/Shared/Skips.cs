namespace Vigil.Tests;

/// <summary>
/// The two kinds of skip. A test that cannot run because something is missing here (a tool, root, a kernel feature)
/// skips for a developer but fails under CI (<c>CI=true</c>, or <c>VIGIL_TEST_STRICT=1</c>): a suite is never green
/// by skipping. A skip by design (the host copy of a test that runs in the guest kernel; a case this kernel cannot
/// show) carries a marker that test/run counts and checks.
/// </summary>
internal static class Skips
{
    /// <summary>Marks the host copy of a guest-only test; test/run expects one per test with the guest trait.</summary>
    public const string HostCopyMarker = "[host copy of a guest test]";

    /// <summary>Marks a case this machine cannot show by its nature (its kernel already has what the test lacks).</summary>
    public const string NotApplicableMarker = "[not applicable here]";

    public static bool Strict =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || Environment.GetEnvironmentVariable("VIGIL_TEST_STRICT") == "1";

    /// <summary>Skips (or, under CI, fails) when <paramref name="reason"/> says something is missing; null means nothing is.</summary>
    public static void IfMissing(string? reason)
    {
        if (reason is null)
        {
            return;
        }
        if (Strict)
        {
            Assert.Fail($"cannot run under CI, something is missing: {reason}");
        }
        Assert.Skip(reason);
    }

    /// <summary>Skips (or, under CI, fails) because of what <paramref name="reason"/> says is missing.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Missing(string reason)
    {
        IfMissing(reason);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Skips the host copy of a test that runs inside the guest kernel (where it is not skipped).</summary>
    public static void HostCopyOfGuestTest(string where) => Assert.Skip($"{HostCopyMarker} {where}");

    /// <summary>Skips a case this machine cannot show, whatever is installed.</summary>
    public static void NotApplicable(string reason) => Assert.Skip($"{NotApplicableMarker} {reason}");
}
