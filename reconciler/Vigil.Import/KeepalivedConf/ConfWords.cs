using System.Globalization;
using System.Text;

namespace Vigil.Import.KeepalivedConf;

/// <summary>How keepalived 2.2 splits a line into words: plainly for most keywords, with quotes and escapes for scripts.</summary>
public static class ConfWords
{
    private static bool IsBlank(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    /// <summary>
    /// How a finding names a line: by its keyword only. The rest may be a password (auth_pass) or a script that carries
    /// a token, and findings are printed and kept in IMPORT.md.
    /// </summary>
    public static string LineOf(string text)
    {
        var trimmed = text.TrimStart(' ', '\t');
        var end = trimmed.IndexOfAny([' ', '\t']);
        return $"the '{(end < 0 ? trimmed : trimmed[..end])}' line";
    }

    /// <summary>
    /// A plain keyword's words: split at blanks, a double-quoted word kept whole without its quotes and without escapes
    /// (the next <c>"</c> ends it); null <paramref name="error"/> unless a quote is not closed (the words before it are kept).
    /// </summary>
    public static IReadOnlyList<string> Plain(string text, out string? error)
    {
        error = null;
        var words = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsBlank(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                return words;
            }
            if (text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    error = $"unmatched quote in {LineOf(text)}";
                    return words;
                }
                words.Add(text[(i + 1)..close]);
                i = close + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !IsBlank(text[i]) && text[i] != '"')
                {
                    i++;
                }
                words.Add(text[start..i]);
            }
        }
    }

    /// <summary>
    /// A script keyword's words: double or single quotes group (and may join parts of a word), backslash escapes as
    /// keepalived knows them (\n \t \xHH \NNN octal \cX ...); null and an <paramref name="error"/> when a quote is not
    /// closed or the text ends in a backslash.
    /// </summary>
    public static IReadOnlyList<string>? Escaped(string text, out string? error)
    {
        error = null;
        var words = new List<string>();
        var word = new StringBuilder();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsBlank(text[i]))
            {
                i++;
            }
            if (i == text.Length)
            {
                return words;
            }
            word.Clear();
            char quote = '\0';
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\')
                {
                    if (++i == text.Length)
                    {
                        error = $"{LineOf(text)} ends in an escape with nothing after it";
                        return null;
                    }
                    word.Append(Escape(text, ref i));
                    continue;
                }
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                    i++;
                    continue;
                }
                if (c is '"' or '\'')
                {
                    quote = c;
                    i++;
                    continue;
                }
                if (IsBlank(c))
                {
                    break;
                }
                word.Append(c);
                i++;
            }
            if (quote != '\0')
            {
                error = $"{LineOf(text)} has no closing {quote}";
                return null;
            }
            words.Add(word.ToString());
        }
    }

    /// <summary>The character an escape stands for; <paramref name="i"/> is just past the backslash and ends past the escape.</summary>
    private static char Escape(string text, ref int i)
    {
        var c = text[i];
        if (c == 'x' && i + 1 < text.Length && Uri.IsHexDigit(text[i + 1]))
        {
            var value = 0;
            for (i++; i < text.Length && Uri.IsHexDigit(text[i]); i++)
            {
                value = ((value << 4) | int.Parse(text.AsSpan(i, 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture)) & 0xff;
            }
            return (char)value;
        }
        if (c == 'c' && i + 1 < text.Length)
        {
            i += 2;
            return (char)(text[i - 1] & 0x1f);
        }
        if (c is >= '0' and <= '7')
        {
            var value = 0;
            for (var digits = 0; digits < 3 && i < text.Length && text[i] is >= '0' and <= '7'; digits++, i++)
            {
                value = (value << 3) + (text[i] - '0');
            }
            return (char)(value & 0xff);
        }
        i++;
        return c switch
        {
            'a' => '\a',
            'b' => '\b',
            'E' => '\x1b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => c,
        };
    }
}
