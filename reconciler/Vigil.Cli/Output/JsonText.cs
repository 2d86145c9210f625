using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Cli.Output;

/// <summary>How --output json is written: indented, one options instance for every command.</summary>
internal static class JsonText
{
    // Relaxed escaping: "->" and "<" stay readable; the output is JSON for programs, not HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Indented);

    /// <summary>A time as the status JSON writes it (ISO 8601, no quotes), so text and JSON output agree; "" for none.</summary>
    public static string Time(DateTimeOffset? at) => at is { } value ? JsonValue.Create(value).ToJsonString().Trim('"') : "";
}
