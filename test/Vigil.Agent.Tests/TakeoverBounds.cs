using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>The failover tests' timing rule.</summary>
internal static class TakeoverBounds
{
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan CaptureJitter = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Runs <paramref name="takeover"/> on a new lab and holds it to the RFC bound: never before it (less 2 ms of capture
    /// jitter: an early takeover means another timer fired, and is never retried) and at most 20 ms after. The takeover
    /// timer fires at the bound; being later than that on a loaded 2-core machine (another test process, the build) can
    /// be the machine rather than the timer, so a late takeover is measured once more on a fresh lab, and the test
    /// fails only when both are late: a regression in the takeover path makes every run late. <paramref name="then"/>
    /// runs on the lab of the attempt that passed.
    /// </summary>
    public static void AssertWithin(TimeSpan bound, Func<FailoverLab> newLab, Func<FailoverLab, TakeoverFigures> takeover, Action<FailoverLab>? then = null)
    {
        var late = new List<string>();
        while (true)
        {
            using var lab = newLab();
            var figures = takeover(lab);
            var report = $"takeover {figures.Gap.TotalMilliseconds:F1} ms after {figures.LastFromOldMaster}; bound {bound.TotalMilliseconds:F1} ms";
            TestContext.Current.TestOutputHelper?.WriteLine(report + " | " + string.Join(" | ", lab.Output("ka2").Split('\n').Where(l => l.Contains("-> Master", StringComparison.Ordinal))));
            Assert.True(figures.Gap >= bound - CaptureJitter, $"{report}: before the bound, so not the timer that fired\n{lab.Explain()}");
            if (figures.Gap <= bound + Late)
            {
                then?.Invoke(lab);
                return;
            }
            late.Add(report);
            if (late.Count == 2)
            {
                Assert.Fail($"late twice, on two fresh labs: {string.Join("; ", late)}\n{lab.Explain()}");
            }
            TestContext.Current.TestOutputHelper?.WriteLine("late by more than 20 ms: measured once more on a fresh lab");
        }
    }
}
