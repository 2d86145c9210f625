using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Vigil.Core.Desired;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Cli.Output;

/// <summary>Writes a node's effective state as JSON, or as YAML in the same shape and spelling as the input files.</summary>
internal static class NodeStateSerializer
{
    private static readonly NodeStateJson Context = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters =
        {
            new TextConverter<TimeSpan>(Durations.Format),
            new TextConverter<IPAddress>(a => a.ToString()),
            new TextConverter<IpPrefix>(p => p.ToString()),
            new EnumTextConverter(),
        },
    });

    public static JsonNode ToJson(NodeDesiredState state) => JsonSerializer.SerializeToNode(state, Context.NodeDesiredState)!;

    public static string Json(NodeDesiredState state) => ToJson(state).ToJsonString(Context.Options);

    public static string Yaml(NodeDesiredState state)
    {
        var stream = new YamlStream(new YamlDocument(ToYaml(ToJson(state))));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString().TrimEnd('.', '\n', '\r') + "\n";
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYaml(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYaml)),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Text(value.GetValue<string>()),
        null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(node.ToJsonString()),
    };

    /// <summary>Quotes text that would otherwise read back as a number, boolean or null.</summary>
    private static YamlScalarNode Text(string text)
    {
        var plain = text.Length > 0 && !double.TryParse(text, out _) && text is not ("true" or "false" or "null" or "~");
        return new YamlScalarNode(text) { Style = plain ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };
    }

    private sealed class TextConverter<T>(Func<T, string> format) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(format(value));
    }

    /// <summary>
    /// Enums spelled as in the YAML: ipv4, multicast, rr lowercase; TCP, DR, PASS uppercase. One converter per enum the
    /// desired state has, made here rather than by reflection (NativeAOT has no code for a generic made at run time);
    /// an enum added to the state without one here fails loudly (the render goldens).
    /// </summary>
    private sealed class EnumTextConverter : JsonConverterFactory
    {
        private static readonly Dictionary<Type, JsonConverter> Converters = new JsonConverter[]
        {
            new EnumConverter<AddressScope>(), new EnumConverter<ArgumentMatch>(), new EnumConverter<FaultIsolation>(),
            new EnumConverter<IpFamily>(), new EnumConverter<IpvsForwarding>(), new EnumConverter<IpvsProtocol>(),
            new EnumConverter<IpvsScheduler>(), new EnumConverter<NodeDaemon>(), new EnumConverter<RolloutTimeout>(),
            new EnumConverter<RouteType>(), new EnumConverter<RuleAction>(), new EnumConverter<SchedulerFlag>(),
            new EnumConverter<VrrpAuthenticationType>(), new EnumConverter<VrrpTransport>(),
        }.ToDictionary(c => c.Type!);

        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            Converters.TryGetValue(typeToConvert, out var converter) ? converter
                : throw new NotSupportedException($"{typeToConvert.Name}: no spelling for it in NodeStateSerializer");

        internal static string Spell(object value) => value switch
        {
            IpvsProtocol or IpvsForwarding or VrrpAuthenticationType => value.ToString()!.ToUpperInvariant(),
            _ => value.ToString()!.ToLowerInvariant(),
        };
    }

    private sealed class EnumConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(EnumTextConverter.Spell(value));
    }
}

/// <summary>The effective state's serialiser, generated at build time (`vigil` also builds as a NativeAOT binary).</summary>
[JsonSerializable(typeof(NodeDesiredState))]
internal sealed partial class NodeStateJson : JsonSerializerContext;
