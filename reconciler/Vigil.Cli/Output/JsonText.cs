using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Cli.Output;

/// <summary>How --output json is written: indented, one options instance for every command.</summary>
internal static class JsonText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Of(JsonNode node) => node.ToJsonString(Indented);
}
