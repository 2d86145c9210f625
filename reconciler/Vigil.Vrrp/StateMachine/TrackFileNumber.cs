namespace Vigil.Vrrp.StateMachine;

/// <summary>
/// Reads a track file's content as keepalived does (strtol with base 0): leading blanks, a sign, then decimal, 0x hex
/// or leading-0 octal digits up to the first other character. No digits is 0. A number outside 32 bits is
/// ignored (null): keepalived keeps the last value then.
/// </summary>
public static class TrackFileNumber
{
    public static long? Parse(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }
        var radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]))
        {
            radix = 16;
            i += 2;
        }
        else if (i < text.Length && text[i] == '0')
        {
            radix = 8;
        }
        long value = 0;
        for (; i < text.Length && Digit(text[i], radix) is { } digit; i++)
        {
            value = value * radix + digit;
            if (value > (long)int.MaxValue + 1)
            {
                return null;
            }
        }
        value = negative ? -value : value;
        return value is < int.MinValue or > (long)int.MaxValue + 1 ? null : value;
    }

    private static int? Digit(char c, int radix)
    {
        var digit = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => int.MaxValue,
        };
        return digit < radix ? digit : null;
    }
}
