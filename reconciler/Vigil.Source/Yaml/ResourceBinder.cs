using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;
using Vigil.Core.Desired;
using Vigil.Core.Validation;

namespace Vigil.Source.Yaml;

/// <summary>Turns a schema-valid document into its typed spec; values the schema cannot check (addresses) fail here, located.</summary>
internal static class ResourceBinder
{
    private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
    {
        ContractResolver = new CamelCasePropertyNamesContractResolver(),
        MissingMemberHandling = MissingMemberHandling.Error,
        Converters =
        {
            new StringEnumConverter(),
            new TextConverter<TimeSpan>(Durations.TryParse, "a duration like 100ms, 1s or 5m"),
            new TextConverter<IpPrefix>(TryParsePrefix, "an IP address or ADDRESS/LENGTH (like 198.51.100.100/24 or 2001:db8::1/64)"),
            new TextConverter<IPAddress>(TryParseAddress, "an IP address (like 198.51.100.10 or 2001:db8::10)"),
            new ValueListConverter(),
        },
    });

    public static bool TryBind<TSpec>(YamlDocument document, DiagnosticBag diagnostics, out Resource<TSpec>? resource)
        where TSpec : class
    {
        resource = null;
        try
        {
            var spec = document.Root["spec"]!.ToObject<TSpec>(Serializer)!;
            resource = new Resource<TSpec>(document.Name!, spec, document.Origin);
            return true;
        }
        catch (JsonException e)
        {
            var path = e switch
            {
                JsonSerializationException s => s.Path,
                JsonReaderException r => r.Path,
                _ => null,
            };
            diagnostics.Error(document.Origin, path ?? "spec", "value", (e.InnerException as FormatException)?.Message ?? e.Message);
            return false;
        }
    }

    private static JsonSerializationException Invalid(JsonReader reader, string message) =>
        new(message, reader.Path, 0, 0, new FormatException(message));

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>Reads a value written as text (durations, addresses), plain or nullable, with a located error when it does not parse.</summary>
    private sealed class TextConverter<T>(TryParse<T> parse, string expected) : JsonConverter
    {
        public override bool CanWrite => false;

        public override bool CanConvert(Type objectType) => typeof(T).IsAssignableFrom(objectType) || Nullable.GetUnderlyingType(objectType) == typeof(T);

        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer) =>
            reader.TokenType == JsonToken.Null ? null
            : reader.Value is string text && parse(text, out var value) ? value
            : throw Invalid(reader, $"'{reader.Value}' is not {expected}");

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();
    }

    private static bool TryParsePrefix(string text, out IpPrefix value)
    {
        var ok = IpPrefix.TryParse(text, out var prefix);
        value = prefix.GetValueOrDefault();
        return ok;
    }

    private static bool TryParseAddress(string text, out IPAddress value)
    {
        var ok = IpAddressText.TryParse(text, out var address);
        value = address!;
        return ok;
    }

    /// <summary>Reads a JSON array into <see cref="ValueList{T}"/>, the list type with value equality.</summary>
    private sealed class ValueListConverter : JsonConverter
    {
        public override bool CanConvert(Type objectType) => objectType.IsGenericType && objectType.GetGenericTypeDefinition() == typeof(ValueList<>);

        // NativeAOT: the model's ValueList<T> are Vigil.Core's, rooted whole with complete metadata (Vigil.Cli.csproj);
        // ShippedBinaryTests renders every-feature, which has each of them, with the native binary.
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "see above")]
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "see above")]
        public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
        {
            var itemType = objectType.GetGenericArguments()[0];
            var items = (System.Collections.IList)serializer.Deserialize(reader, typeof(List<>).MakeGenericType(itemType))!;
            return Activator.CreateInstance(objectType, items);
        }

        public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) =>
            serializer.Serialize(writer, ((System.Collections.IEnumerable)value!).Cast<object>().ToList());
    }
}
