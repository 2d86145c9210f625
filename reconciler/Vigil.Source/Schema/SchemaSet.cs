using NJsonSchema;
using Vigil.Core.Desired;

namespace Vigil.Source.Schema;

/// <summary>The published schemas (schemas/*.schema.json), one per kind, loaded once from beside the binary.</summary>
internal sealed class SchemaSet
{
    private static readonly Dictionary<string, string> FileOfKind = new(StringComparer.Ordinal)
    {
        [Kinds.Cluster] = "cluster.schema.json",
        [Kinds.VrrpInstance] = "vrrp-instance.schema.json",
        [Kinds.SyncGroup] = "sync-group.schema.json",
        [Kinds.VrrpScript] = "vrrp-script.schema.json",
        [Kinds.VirtualServer] = "virtual-server.schema.json",
        [Kinds.Policy] = "policy.schema.json",
    };

    private static readonly Lazy<SchemaSet> Shipped = new(() => Load(Path.Combine(AppContext.BaseDirectory, "schemas")));

    private readonly Dictionary<string, JsonSchema> _byKind;

    private SchemaSet(Dictionary<string, JsonSchema> byKind) => _byKind = byKind;

    public static SchemaSet Default => Shipped.Value;

    public JsonSchema For(string kind) => _byKind[kind];

    public static SchemaSet Load(string directory)
    {
        var byKind = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var (kind, file) in FileOfKind)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"schema {file} is missing from {directory}; the install is incomplete", path);
            }
            // FromFileAsync resolves the relative $refs to common.schema.json beside it.
            byKind[kind] = JsonSchema.FromFileAsync(path).GetAwaiter().GetResult();
        }
        return new SchemaSet(byKind);
    }
}
