using System.Globalization;
using System.Text;

namespace Vigil.Policies.Expressions;

/// <summary>
/// Splits CEL text into tokens. Every character is accounted for: an unknown one is an error at its column,
/// never skipped (a tokeniser that skips turns <c>a # b</c> into <c>a b</c>).
/// </summary>
internal static class Lexer
{
    /// <summary>The magnitude of long.MinValue, which only a negative literal may have.</summary>
    public const ulong MinimumMagnitude = 9223372036854775808UL;

    public static List<Token> Tokens(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, i + 1));
                return tokens;
            }
            var start = i;
            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                if ((c == 'r' || c == 'R') && i + 1 < text.Length && text[i + 1] is '\'' or '"')
                {
                    tokens.Add(new Token(TokenKind.String, start + 1, ReadString(text, ref i, raw: true)));
                    continue;
                }
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var word = text[start..i];
                tokens.Add(word switch
                {
                    "true" => new Token(TokenKind.True, start + 1),
                    "false" => new Token(TokenKind.False, start + 1),
                    "null" => new Token(TokenKind.Null, start + 1),
                    "in" => new Token(TokenKind.In, start + 1),
                    _ => new Token(TokenKind.Identifier, start + 1, word),
                });
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }
            if (c is '\'' or '"')
            {
                tokens.Add(new Token(TokenKind.String, start + 1, ReadString(text, ref i, raw: false)));
                continue;
            }
            var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
            TokenKind? pair = two switch
            {
                "==" => TokenKind.Equal,
                "!=" => TokenKind.NotEqual,
                "<=" => TokenKind.LessEqual,
                ">=" => TokenKind.GreaterEqual,
                "&&" => TokenKind.And,
                "||" => TokenKind.Or,
                _ => null,
            };
            if (pair is { } kind)
            {
                tokens.Add(new Token(kind, start + 1));
                i += 2;
                continue;
            }
            TokenKind single = c switch
            {
                '.' => TokenKind.Dot,
                ',' => TokenKind.Comma,
                '(' => TokenKind.LeftParen,
                ')' => TokenKind.RightParen,
                '[' => TokenKind.LeftBracket,
                ']' => TokenKind.RightBracket,
                '{' => TokenKind.LeftBrace,
                '}' => TokenKind.RightBrace,
                ':' => TokenKind.Colon,
                '?' => TokenKind.Question,
                '!' => TokenKind.Not,
                '-' => TokenKind.Minus,
                '+' => TokenKind.Plus,
                '*' => TokenKind.Star,
                '/' => TokenKind.Slash,
                '%' => TokenKind.Percent,
                '<' => TokenKind.Less,
                '>' => TokenKind.Greater,
                '=' => throw new ExpressionException("'=' is not an operator; compare with '=='", start + 1),
                '&' => throw new ExpressionException("'&' is not an operator; use '&&'", start + 1),
                '|' => throw new ExpressionException("'|' is not an operator; use '||'", start + 1),
                _ => throw new ExpressionException($"unexpected character '{Printable(c)}'", start + 1),
            };
            tokens.Add(new Token(single, start + 1));
            i++;
        }
    }

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    private static Token ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }
            return long.TryParse(text.AsSpan(start + 2, i - start - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex >= 0
                ? new Token(TokenKind.Int, start + 1, hex)
                : throw new ExpressionException("not a 64-bit integer", start + 1);
        }
        var isDouble = false;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        if (i < text.Length && text[i] == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            isDouble = true;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }
            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            {
                throw new ExpressionException("an exponent needs digits", start + 1);
            }
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            throw new ExpressionException($"a number runs into '{text[i]}'", i + 1);
        }
        var span = text.AsSpan(start, i - start);
        if (isDouble)
        {
            return new Token(TokenKind.Double, start + 1, double.Parse(span, CultureInfo.InvariantCulture));
        }
        return long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? new Token(TokenKind.Int, start + 1, value)
            // 2^63 is an int only after a minus (the parser checks): -9223372036854775808 is the smallest int.
            : span.SequenceEqual("9223372036854775808") ? new Token(TokenKind.Int, start + 1, MinimumMagnitude)
            : throw new ExpressionException("not a 64-bit integer", start + 1);
    }

    private static string ReadString(string text, ref int i, bool raw)
    {
        var start = i;
        if (raw)
        {
            i++;
        }
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        i += triple ? 3 : 1;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new ExpressionException("a string is not closed", start + 1);
            }
            var c = text[i];
            if (c == quote && (!triple || (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)))
            {
                i += triple ? 3 : 1;
                return value.ToString();
            }
            if (!triple && c is '\n' or '\r')
            {
                throw new ExpressionException("a string is not closed before the end of the line", start + 1);
            }
            if (c == '\\' && !raw)
            {
                value.Append(Escape(text, ref i));
                continue;
            }
            value.Append(c);
            i++;
        }
    }

    private static string Escape(string text, ref int i)
    {
        var at = i + 1;
        if (i + 1 >= text.Length)
        {
            throw new ExpressionException("a string ends inside an escape", at);
        }
        var c = text[i + 1];
        i += 2;
        switch (c)
        {
            case 'n': return "\n";
            case 't': return "\t";
            case 'r': return "\r";
            case '\\': return "\\";
            case '\'': return "'";
            case '"': return "\"";
            case '`': return "`";
            case '?': return "?";
            case 'u' or 'U' or 'x':
                var digits = c == 'u' ? 4 : c == 'U' ? 8 : 2;
                if (i + digits > text.Length || !int.TryParse(text.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                    || code > 0x10FFFF || (code is >= 0xD800 and <= 0xDFFF))
                {
                    throw new ExpressionException($"'\\{c}' needs {digits} hex digits of a code point", at);
                }
                i += digits;
                return char.ConvertFromUtf32(code);
            default:
                throw new ExpressionException($"unknown escape '\\{Printable(c)}'", at);
        }
    }
}
