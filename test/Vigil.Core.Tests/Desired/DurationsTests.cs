using Vigil.Core.Desired;

namespace Vigil.Core.Tests.Desired;

public class DurationsTests
{
    [Theory]
    [InlineData("100ms", 100)]
    [InlineData("1s", 1_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0.01s", 10)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void TryParse_WrittenWithUnit_ReadsMilliseconds(string text, int milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("1x")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData("-1s")]
    [InlineData("1 s")]
    [InlineData("1.2.3s")]
    public void TryParse_NoUnitOrGarbage_Fails(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData(100, "100ms")]
    [InlineData(1_000, "1s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(300_000, "5m")]
    [InlineData(0, "0s")]
    public void Format_PicksTheShortestExactUnit(int milliseconds, string expected)
    {
        var text = Durations.Format(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));
    }
}
