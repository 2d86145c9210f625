namespace Vigil.Core.Desired;

/// <summary>A command line split into words as a shell would for plain words and quotes, without running a shell.</summary>
public static class CommandLine
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>The command line <see cref="Split"/> turns back into <paramref name="words"/>: quotes only where a word needs them.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    private static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\''))
        {
            return word;
        }
        if (!word.Contains('"', StringComparison.Ordinal))
        {
            return $"\"{word}\"";
        }
        if (!word.Contains('\'', StringComparison.Ordinal))
        {
            return $"'{word}'";
        }
        // Both quotes: single-quoted runs joined by a double-quoted ' ('it'"'"'s "x"').
        return string.Join("\"'\"", word.Split('\'').Select(part => $"'{part}'"));
    }
}
