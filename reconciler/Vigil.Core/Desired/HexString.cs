namespace Vigil.Core.Desired;

/// <summary>
/// keepalived's free-form hex (UDP_CHECK's payload and require_reply): words split on spaces, each read two digits to
/// a byte from the left, a last lone digit a byte of its own ("Ab12f 3" is AB 12 0F 03); in a reply, x stands for a
/// nibble that is not compared.
/// </summary>
public static class HexString
{
    /// <summary>The bytes and the mask of nibbles not compared; false when a character is not hex (or x where allowed).</summary>
    public static bool TryParse(string text, bool allowWildcards, out byte[] bytes, out byte[] ignored)
    {
        var value = new List<byte>();
        var mask = new List<byte>();
        foreach (var word in text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            for (var i = 0; i < word.Length; i += 2)
            {
                if (!Nibble(word[i], allowWildcards, out var high, out var highIgnored))
                {
                    (bytes, ignored) = ([], []);
                    return false;
                }
                if (i + 1 == word.Length)
                {
                    value.Add(high);
                    mask.Add(highIgnored ? (byte)0x0F : (byte)0);
                    break;
                }
                if (!Nibble(word[i + 1], allowWildcards, out var low, out var lowIgnored))
                {
                    (bytes, ignored) = ([], []);
                    return false;
                }
                value.Add((byte)(high << 4 | low));
                mask.Add((byte)((highIgnored ? 0xF0 : 0) | (lowIgnored ? 0x0F : 0)));
            }
        }
        (bytes, ignored) = ([.. value], [.. mask]);
        return value.Count > 0;
    }

    private static bool Nibble(char c, bool allowWildcards, out byte value, out bool ignored)
    {
        ignored = allowWildcards && c is 'x' or 'X';
        value = c switch
        {
            >= '0' and <= '9' => (byte)(c - '0'),
            >= 'a' and <= 'f' => (byte)(c - 'a' + 10),
            >= 'A' and <= 'F' => (byte)(c - 'A' + 10),
            _ => 0,
        };
        return ignored || Uri.IsHexDigit(c);
    }
}
