namespace Vigil.Core;

/// <summary>How a commit is named in messages, the status and the log: its first 12 hex digits, everywhere the same.</summary>
public static class Commits
{
    public static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
