namespace Vigil.Core.Validation;

/// <summary>
/// Documents that failed the schema and so are missing from the typed state: references to them are not
/// reported as dangling, so each defect yields one error, not a cascade.
/// </summary>
public sealed class UnreadableResources
{
    private readonly HashSet<(string Kind, string Name)> _names = [];
    private readonly HashSet<string> _kindsWithoutName = new(StringComparer.Ordinal);

    public static readonly UnreadableResources None = new();

    public void Add(string? kind, string? name)
    {
        if (kind is null)
        {
            return;
        }
        if (name is null)
        {
            _kindsWithoutName.Add(kind);
        }
        else
        {
            _names.Add((kind, name));
        }
    }

    public bool Contains(string kind, string name) => _names.Contains((kind, name)) || _kindsWithoutName.Contains(kind);

    public bool Any(string kind) => _kindsWithoutName.Contains(kind) || _names.Any(n => n.Kind == kind);
}
