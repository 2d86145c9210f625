namespace Vigil.Core.Desired;

/// <summary>A place in a YAML file, 1-based as editors show it.</summary>
public readonly record struct SourcePosition(int Line, int Column);

/// <summary>
/// Where a document was written, and where each of its fields is, by path
/// (<c>spec.members[1].priority</c>), so that rules checked on the typed model can still point at a line.
/// </summary>
public sealed class SourceOrigin(string file, SourcePosition start, IReadOnlyDictionary<string, SourcePosition> fields)
{
    public static readonly SourceOrigin None = new("<memory>", new SourcePosition(1, 1), new Dictionary<string, SourcePosition>());

    public string File { get; } = file;

    public SourcePosition Start { get; } = start;

    /// <summary>The position of the field, or of its nearest written ancestor (a missing field is reported where its parent is).</summary>
    public SourcePosition Locate(string path)
    {
        for (var current = path; current.Length > 0; current = Parent(current))
        {
            if (fields.TryGetValue(current, out var position))
            {
                return position;
            }
        }
        return Start;
    }

    public static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
