using System.Reflection;
using NJsonSchema;
using Vigil.Core.Desired;
using Vigil.Source.Schema;
using Vigil.Tests;

namespace Vigil.Source.Tests;

/// <summary>The published schemas and the records they bind to must name the same fields, recursively.</summary>
public class SchemaConsistencyTests
{
    public static TheoryData<string, Type> Kinds() => new()
    {
        { "Cluster", typeof(ClusterSpec) },
        { "VrrpInstance", typeof(VrrpInstanceSpec) },
        { "SyncGroup", typeof(SyncGroupSpec) },
        { "VrrpScript", typeof(VrrpScriptSpec) },
        { "VirtualServer", typeof(VirtualServerSpec) },
        { "Policy", typeof(Vigil.Policies.PolicySpec) },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SchemaFields_MatchRecordProperties(string kind, Type spec)
    {
        var schemas = SchemaSet.Load(RepoPaths.Schemas);
        var specSchema = schemas.For(kind).ActualProperties["spec"].ActualSchema;
        var mismatches = new List<string>();
        Compare(specSchema, spec, "spec", mismatches);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Bundle_RoutesEveryKind()
    {
        var bundle = File.ReadAllText(Path.Combine(RepoPaths.Schemas, "vigil.schema.json"));
        foreach (var kind in Core.Desired.Kinds.All)
        {
            Assert.Contains($"\"const\": \"{kind}\"", bundle, StringComparison.Ordinal);
        }
    }

    private static void Compare(JsonSchema schema, Type type, string path, List<string> mismatches)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null)
            .ToDictionary(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..], StringComparer.Ordinal);
        var fields = schema.ActualProperties;
        mismatches.AddRange(fields.Keys.Except(properties.Keys).Select(f => $"{path}.{f}: in the schema, not in {type.Name}"));
        mismatches.AddRange(properties.Keys.Except(fields.Keys).Select(p => $"{path}.{p}: in {type.Name}, not in the schema"));
        foreach (var (name, property) in properties)
        {
            if (!fields.TryGetValue(name, out var field))
            {
                continue;
            }
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var fieldSchema = field.ActualSchema;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(ValueList<>))
            {
                propertyType = propertyType.GetGenericArguments()[0];
                fieldSchema = fieldSchema.Item?.ActualSchema ?? fieldSchema;
            }
            if ((propertyType.Namespace == typeof(ClusterSpec).Namespace || propertyType.Namespace == typeof(Vigil.Policies.PolicySpec).Namespace) && propertyType.IsClass && fieldSchema.ActualProperties.Count > 0)
            {
                Compare(fieldSchema, propertyType, $"{path}.{name}", mismatches);
            }
        }
    }
}
