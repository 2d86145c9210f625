using Vigil.Import.Output;
using Vigil.Import.Reading;

namespace Vigil.Import.Merging;

/// <summary>keepalived names that are no Vigil name (a name: letters, digits, - _ ., up to 64) renamed, and every reference with them.</summary>
internal sealed class NameMap(List<ImportFinding> findings)
{
    private readonly Dictionary<(string Kind, string Name), string> _renamed = [];
    private readonly HashSet<(string Kind, string Name)> _taken = [];

    /// <summary>The names of a kind Vigil takes as they are: a renamed one must not become one of them.</summary>
    public void Reserve(string kind, IEnumerable<string> names)
    {
        foreach (var name in names.Where(n => ClusterImport.ValidName().IsMatch(n)))
        {
            _taken.Add((kind, name));
        }
    }

    /// <summary>Keeps the draft's name, or renames it (uniquely, see <see cref="Reserve"/>) when Vigil cannot take it.</summary>
    public void Name(ResourceDraft draft, string kind)
    {
        if (ClusterImport.ValidName().IsMatch(draft.Name))
        {
            return;
        }
        var cleaned = new string([.. draft.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-')]).TrimStart('_', '.', '-');
        cleaned = cleaned.Length == 0 ? kind.ToLowerInvariant() : cleaned[..Math.Min(60, cleaned.Length)];
        var name = cleaned;
        for (var n = 2; !_taken.Add((kind, name)); n++)
        {
            name = $"{cleaned}-{n}";
        }
        findings.Add(new ImportFinding(FindingKind.Translated, "name", $"{kind} '{draft.Name}' is named '{name}' (a Vigil name has letters, digits, - _ and . only)", [draft.Position]));
        _renamed[(kind, draft.Name)] = name;
        draft.Name = name;
    }

    /// <summary>Instances' trackScripts and sync groups' instances follow the renames.</summary>
    public void ApplyReferences(List<ClusterImport.MergedInstance> instances, List<ResourceDraft> groups)
    {
        foreach (var instance in instances)
        {
            foreach (var track in (instance.Draft.Get("trackScripts") as List<object> ?? []).OfType<YamlMap>())
            {
                if (track["name"] is string script && _renamed.TryGetValue(("VrrpScript", script), out var renamed)) track.Set("name", renamed);
            }
        }
        foreach (var group in groups)
        {
            if (group.Get("instances") is List<object> members)
            {
                for (var i = 0; i < members.Count; i++)
                {
                    if (members[i] is string member && _renamed.TryGetValue(("VrrpInstance", member), out var renamed)) members[i] = renamed;
                }
            }
        }
    }
}
