using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

public enum Severity { Error, Warning }

/// <summary>
/// One finding, pointing at a file, line, column and field, e.g.
/// <c>lb/web.yaml:12:9: error: spec.members[1].priority: must be at most 255 (got 300) [range]</c>.
/// </summary>
public sealed record Diagnostic(Severity Severity, string Rule, string File, SourcePosition Position, string Field, string Message)
{
    public override string ToString() =>
        $"{File}:{Position.Line}:{Position.Column}: {(Severity == Severity.Error ? "error" : "warning")}: {(Field.Length > 0 ? Field + ": " : "")}{Message} [{Rule}]";
}

/// <summary>Collects findings; validators never stop at the first one.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Exists(d => d.Severity == Severity.Error);

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    public void Error(SourceOrigin origin, string field, string rule, string message) =>
        _items.Add(new Diagnostic(Severity.Error, rule, origin.File, origin.Locate(field), field, message));

    public void Warning(SourceOrigin origin, string field, string rule, string message) =>
        _items.Add(new Diagnostic(Severity.Warning, rule, origin.File, origin.Locate(field), field, message));

    /// <summary>In file order, then line, so output reads top to bottom.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Position.Line).ThenBy(d => d.Position.Column)];
}
