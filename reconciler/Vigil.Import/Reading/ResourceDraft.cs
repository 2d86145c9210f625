using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>One resource as one node's file says it: its spec so far, and where each field came from.</summary>
public sealed class ResourceDraft(string kind, string name, ConfPosition position)
{
    public string Kind { get; } = kind;
    public string Name { get; set; } = name;
    public ConfPosition Position { get; } = position;
    public YamlMap Spec { get; } = new();
    private readonly Dictionary<string, ConfPosition> _positions = new(StringComparer.Ordinal);

    /// <summary>Sets spec.PATH ("garp.delay") from the statement at <paramref name="at"/>.</summary>
    public void Set(string path, object value, ConfPosition at)
    {
        var (parent, key) = Parent(path);
        parent.Set(key, value);
        _positions[path] = at;
    }

    /// <summary>Appends to the list at spec.PATH.</summary>
    public void Add(string path, object item, ConfPosition at)
    {
        var (parent, key) = Parent(path);
        var list = parent.List(key);
        _positions[$"{path}[{list.Count}]"] = at;
        list.Add(item);
    }

    public object? Get(string path)
    {
        return Parent(path, create: false) is { } found ? found.Parent[found.Key] : null;
    }

    /// <summary>Where the field at <paramref name="path"/> (or the nearest field above it) came from.</summary>
    public ConfPosition PositionOf(string path)
    {
        for (var p = path; p.Length > 0; p = Up(p))
        {
            if (_positions.TryGetValue(p, out var at))
            {
                return at;
            }
        }
        return Position;
    }

    private static string Up(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }

    private (YamlMap Parent, string Key) Parent(string path) => Parent(path, create: true)!.Value;

    private (YamlMap Parent, string Key)? Parent(string path, bool create)
    {
        var parts = path.Split('.');
        var map = Spec;
        foreach (var part in parts[..^1])
        {
            if (!create && map[part] is not YamlMap)
            {
                return null;
            }
            map = map.Map(part);
        }
        return (map, parts[^1]);
    }
}
