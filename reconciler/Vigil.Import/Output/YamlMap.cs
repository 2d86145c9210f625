using System.Globalization;
using System.Text;

namespace Vigil.Import.Output;

/// <summary>
/// A YAML mapping in the order it is written: the importer builds each resource as one, compares the nodes' with
/// each other, and writes them. Values are string, int, long, bool, <see cref="YamlMap"/> or a list of those.
/// </summary>
public sealed class YamlMap
{
    private readonly List<KeyValuePair<string, object>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, object>> Entries => _entries;

    public bool IsEmpty => _entries.Count == 0;

    public object? this[string key] => _entries.FirstOrDefault(e => e.Key == key).Value;

    /// <summary>Sets (or replaces, in place) a key; a null value removes it.</summary>
    public YamlMap Set(string key, object? value)
    {
        var index = _entries.FindIndex(e => e.Key == key);
        if (value is null)
        {
            if (index >= 0) _entries.RemoveAt(index);
            return this;
        }
        if (index >= 0) _entries[index] = new(key, value);
        else _entries.Add(new(key, value));
        return this;
    }

    /// <summary>The map under <paramref name="key"/>, made when missing.</summary>
    public YamlMap Map(string key)
    {
        if (this[key] is YamlMap existing) return existing;
        var map = new YamlMap();
        Set(key, map);
        return map;
    }

    /// <summary>The list under <paramref name="key"/>, made when missing.</summary>
    public List<object> List(string key)
    {
        if (this[key] is List<object> existing) return existing;
        var list = new List<object>();
        Set(key, list);
        return list;
    }

    /// <summary>Every leaf as "path: value" ("spec.virtualAddresses[0].address: 198.51.100.100/24"), for comparing.</summary>
    public IEnumerable<(string Path, string Value)> Leaves(string prefix = "")
    {
        foreach (var (key, value) in _entries)
        {
            foreach (var leaf in LeavesOf(value, prefix.Length == 0 ? key : $"{prefix}.{key}"))
            {
                yield return leaf;
            }
        }
    }

    private static IEnumerable<(string, string)> LeavesOf(object value, string path) => value switch
    {
        YamlMap map => map.Leaves(path),
        List<object> list => list.SelectMany((item, i) => LeavesOf(item, $"{path}[{i}]")),
        _ => [(path, YamlText.Scalar(value))],
    };

    public string ToYaml()
    {
        var text = new StringBuilder();
        YamlText.Write(text, this, 0);
        return text.ToString();
    }
}

/// <summary>Writes <see cref="YamlMap"/>s: block style, two spaces, scalars quoted only when YAML would read them otherwise.</summary>
public static class YamlText
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    internal static void Write(StringBuilder text, YamlMap map, int indent, bool firstInline = false)
    {
        var first = true;
        foreach (var (key, value) in map.Entries)
        {
            if (!(first && firstInline))
            {
                text.Append(' ', indent);
            }
            first = false;
            text.Append(key).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { IsEmpty: true }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                Write(text, map, indent + 2);
                break;
            case List<object> { Count: 0 }:
                text.Append(" []\n");
                break;
            case List<object> list when list.All(i => i is not (YamlMap or List<object>)):
                text.Append(" [").Append(string.Join(", ", list.Select(Scalar))).Append("]\n");
                break;
            case List<object> list:
                text.Append('\n');
                foreach (var item in list)
                {
                    text.Append(' ', indent + 2).Append("- ");
                    if (item is YamlMap { IsEmpty: false } itemMap)
                    {
                        Write(text, itemMap, indent + 4, firstInline: true);
                    }
                    else
                    {
                        text.Append(Scalar(item)).Append('\n');
                    }
                }
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    public static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => String(s),
        YamlMap { IsEmpty: true } => "{}",
        _ => throw new ArgumentException($"not a YAML scalar: {value.GetType().Name}", nameof(value)),
    };

    /// <summary>A string as YAML reads it back unchanged: plain when safe, else double-quoted with escapes.</summary>
    public static string String(string s)
    {
        var plain = s.Length > 0
            && !Reserved.Contains(s)
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && "-?:,[]{}#&*!|>'\"%@`".IndexOf(s[0]) < 0
            && s[0] != ' ' && s[^1] != ' '
            && !s.Contains(": ", StringComparison.Ordinal) && !s.Contains(" #", StringComparison.Ordinal)
            && !s.EndsWith(':') && !s.Any(char.IsControl);
        if (plain)
        {
            return s;
        }
        var quoted = new StringBuilder("\"");
        foreach (var c in s)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}
