using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>The failover tests' timing rule.</summary>
internal static class TakeoverBounds
{
    /// <summary>RFC bound for the takeover plus 20 ms, and never before the bound (less 2 ms of capture jitter).</summary>
    public static void AssertWithin(TakeoverFigures figures, TimeSpan bound, FailoverLab lab)
    {
        var report = $"takeover {figures.Gap.TotalMilliseconds:F1} ms after {figures.LastFromOldMaster}; bound {bound.TotalMilliseconds:F1} ms";
        TestContext.Current.TestOutputHelper?.WriteLine(report + " | " + string.Join(" | ", lab.Output("ka2").Split('\n').Where(l => l.Contains("-> Master", StringComparison.Ordinal))));
        Assert.True(figures.Gap <= bound + TimeSpan.FromMilliseconds(20), $"{report}: too slow\n{lab.Explain()}");
        Assert.True(figures.Gap >= bound - TimeSpan.FromMilliseconds(2), $"{report}: before the bound, so not the timer that fired\n{lab.Explain()}");
    }
}
