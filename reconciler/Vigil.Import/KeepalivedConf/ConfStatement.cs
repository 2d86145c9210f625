namespace Vigil.Import.KeepalivedConf;

/// <summary>
/// One logical line of keepalived.conf after includes, comments, definitions and conditionals: its words as keepalived
/// splits a plain keyword's line (a double-quoted word loses its quotes), the line itself (script keywords read it
/// again with escapes), and the block that followed it, if any.
/// </summary>
public sealed record ConfStatement(IReadOnlyList<string> Words, string Text, ConfPosition Position, IReadOnlyList<ConfStatement>? Block)
{
    public string Keyword => Words[0];

    /// <summary>The words after the keyword.</summary>
    public IReadOnlyList<string> Arguments { get; } = [.. Words.Skip(1)];

    public string? Argument(int index) => index < Arguments.Count ? Arguments[index] : null;

    public IEnumerable<ConfStatement> Children(string keyword) =>
        (Block ?? []).Where(s => string.Equals(s.Keyword, keyword, StringComparison.Ordinal));
}

/// <summary>A whole configuration: its top-level statements and what the reading found wrong.</summary>
public sealed record ConfDocument(IReadOnlyList<ConfStatement> Statements, IReadOnlyList<ConfDiagnostic> Diagnostics);
