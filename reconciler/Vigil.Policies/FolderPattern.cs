using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Policies;

/// <summary>
/// A folder of the repository, relative to its root, holding documents at any depth below it: <c>network</c>,
/// <c>teams/*</c> (one level of any name), <c>apps/**/lb</c> (any depth). <c>""</c> or <c>/</c> is the whole repository.
/// </summary>
public sealed class FolderPattern
{
    private readonly Regex _regex;

    private FolderPattern(string text, Regex regex, int specificity)
    {
        Text = text;
        _regex = regex;
        Specificity = specificity;
    }

    public string Text { get; }

    /// <summary>More literal segments win: <c>teams/web</c> is more specific than <c>teams/*</c>, which beats the root.</summary>
    public int Specificity { get; }

    public static bool TryParse(string text, out FolderPattern? pattern, out string? error)
    {
        pattern = null;
        error = null;
        var trimmed = text.Trim('/');
        var segments = trimmed.Length == 0 ? [] : trimmed.Split('/');
        var regex = new StringBuilder("^");
        var specificity = 0;
        foreach (var segment in segments)
        {
            if (segment is "" or "." or "..")
            {
                error = $"'{text}' is not a folder below the repository's root";
                return false;
            }
            if (segment == "**")
            {
                regex.Append("(?:[^/]+/)*");
                continue;
            }
            if (segment.Contains("**", StringComparison.Ordinal))
            {
                error = $"'{text}': '**' stands for whole folders only, as in apps/**/lb";
                return false;
            }
            specificity += segment.Contains('*') ? 1 : 4;
            regex.Append(string.Join("[^/]*", segment.Split('*').Select(Regex.Escape))).Append('/');
        }
        regex.Append(".*$");
        pattern = new FolderPattern(trimmed.Length == 0 ? "/" : trimmed + "/",
            new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), specificity);
        return true;
    }

    /// <summary>Whether the file (relative to the root, '/'-separated) is inside this folder.</summary>
    public bool Holds(string file) => _regex.IsMatch(file);
}
