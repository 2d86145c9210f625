using Vigil.Core.Desired;

namespace Vigil.Core.Rendering;

/// <summary>
/// How a value is written so that keepalived 2.2 reads it back unchanged. Its line reader cuts a line at an unquoted
/// <c>#</c> or <c>!</c> and splits words at blanks; a plain keyword's value may be one double-quoted word, with no
/// escapes inside (a <c>"</c> cannot be written at all). Script keywords are read twice with quotes and backslash
/// escapes: once for the line, once more for the command's own words.
/// </summary>
public static class KeepalivedText
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(" \t#!{}'\\\"");

    /// <summary>A plain keyword's value; throws when keepalived has no way to read it back.</summary>
    /// <param name="secret">The value is a secret: the error names only <paramref name="what"/>.</param>
    public static string Plain(string value, string what, bool secret = false)
    {
        if (value.Contains('"', StringComparison.Ordinal) || value.Any(char.IsControl))
        {
            throw new KeepalivedRenderException($"{what}{(secret ? "" : $" '{value}'")} cannot be written for keepalived: its parser reads no double quote or control character in a value");
        }
        return value.Length == 0 || value.AsSpan().IndexOfAny(NeedsQuotes) >= 0 ? $"\"{value}\"" : value;
    }

    /// <summary>A Vigil command line (words as <see cref="CommandLine"/> splits them) as keepalived's script argument.</summary>
    public static string Script(string commandLine)
    {
        var words = CommandLine.Split(commandLine).Select(ScriptWord);
        return "\"" + Escape(string.Join(' ', words), '"') + "\"";
    }

    /// <summary>One word of the command, single-quoted with escapes when it has anything keepalived's second read would split or change.</summary>
    private static string ScriptWord(string word) =>
        word.Length > 0 && word.AsSpan().IndexOfAny(NeedsQuotes) < 0 ? word : "'" + Escape(word, '\'') + "'";

    private static string Escape(string text, char quote) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(quote.ToString(), "\\" + quote, StringComparison.Ordinal);
}

/// <summary>A value of the desired state that keepalived.conf cannot express.</summary>
public sealed class KeepalivedRenderException(string message) : Exception(message);
