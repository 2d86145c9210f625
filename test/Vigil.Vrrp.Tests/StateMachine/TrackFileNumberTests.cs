using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.StateMachine;

/// <summary>A track file's content read as keepalived's strtol(buf, NULL, 0) reads it.</summary>
public class TrackFileNumberTests
{
    [Theory]
    [InlineData("5\n", 5L)]
    [InlineData("  -20\n", -20L)]
    [InlineData("+7", 7L)]
    [InlineData("0x1f", 31L)]
    [InlineData("0X10", 16L)]
    [InlineData("010", 8L)]          // a leading 0 is octal
    [InlineData("09", 0L)]           // ... so 9 ends the number
    [InlineData("12abc", 12L)]       // stops at the first other character
    [InlineData("abc", 0L)]          // no digits: 0
    [InlineData("", 0L)]
    [InlineData("-", 0L)]
    [InlineData("0x", 0L)]
    [InlineData("2147483648", 2147483648L)]   // keepalived accepts up to INT32_MAX + 1
    [InlineData("-2147483648", -2147483648L)]
    public void Parses_AsStrtolBase0(string text, long expected) => Assert.Equal(expected, TrackFileNumber.Parse(text));

    [Theory]
    [InlineData("2147483649")]
    [InlineData("-2147483649")]
    [InlineData("99999999999999999999999")]
    public void OutOfRange_IsIgnored(string text) => Assert.Null(TrackFileNumber.Parse(text));
}
