using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Vigil.Cli.Tests;

/// <summary>Field paths ("VrrpInstance.spec.members[].priority"): every one a schema defines, and every one a folder of YAML sets.</summary>
internal static class SchemaFields
{
    private static readonly string[] Combinators = ["oneOf", "anyOf", "allOf"];

    /// <summary>The leaf fields of each kind's schema in <paramref name="schemas"/>, following $ref across its files.</summary>
    public static IEnumerable<string> Leaves(string schemas)
    {
        var files = Directory.GetFiles(schemas, "*.schema.json").ToDictionary(f => Path.GetFileName(f), f => JsonNode.Parse(File.ReadAllText(f))!);
        foreach (var (file, root) in files)
        {
            if (root["properties"]?["kind"]?["enum"]?.AsArray() is not [{ } only] || only.GetValue<string>() is not { } kind)
            {
                continue; // common definitions, or the schema that picks a kind's
            }
            foreach (var leaf in Walk(root, file, kind, files, depth: 0))
            {
                yield return leaf;
            }
        }
    }

    private static IEnumerable<string> Walk(JsonNode node, string file, string path, Dictionary<string, JsonNode> files, int depth)
    {
        if (depth > 32)
        {
            throw new InvalidOperationException($"{path}: the schema recurses");
        }
        if (node["$ref"]?.GetValue<string>() is { } reference)
        {
            var hash = reference.IndexOf('#', StringComparison.Ordinal);
            var target = hash > 0 ? reference[..hash] : file;
            JsonNode resolved = files[target]!;
            foreach (var part in reference[(hash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                resolved = resolved[part]!;
            }
            foreach (var leaf in Walk(resolved, target, path, files, depth + 1))
            {
                yield return leaf;
            }
            yield break;
        }
        var branches = Combinators.SelectMany(k => node[k]?.AsArray() ?? []).OfType<JsonNode>().ToList();
        var properties = node["properties"]?.AsObject();
        var items = node["items"];
        if (properties is null && items is null && branches.Count == 0)
        {
            yield return path;
        }
        foreach (var branch in branches)
        {
            foreach (var leaf in Walk(branch, file, path, files, depth + 1))
            {
                yield return leaf;
            }
        }
        if (items is not null)
        {
            foreach (var leaf in Walk(items, file, path + "[]", files, depth + 1))
            {
                yield return leaf;
            }
        }
        foreach (var (name, property) in properties ?? [])
        {
            foreach (var leaf in Walk(property!, file, $"{path}.{name}", files, depth + 1))
            {
                yield return leaf;
            }
        }
    }

    /// <summary>The leaf fields set in the YAML documents of <paramref name="folder"/>, prefixed with each document's kind.</summary>
    public static IEnumerable<string> SetIn(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.yaml", SearchOption.AllDirectories))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode root && root.Children.TryGetValue("kind", out var kind))
                {
                    foreach (var leaf in Set(root, ((YamlScalarNode)kind).Value!))
                    {
                        yield return leaf;
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Set(YamlNode node, string path) => node switch
    {
        YamlMappingNode mapping when mapping.Children.Count > 0 && path.EndsWith(".labels", StringComparison.Ordinal) => [path],
        YamlMappingNode mapping => mapping.Children.SelectMany(c => Set(c.Value, $"{path}.{((YamlScalarNode)c.Key).Value}")),
        YamlSequenceNode sequence => sequence.Children.SelectMany(c => Set(c, path + "[]")),
        _ => [path],
    };
}
