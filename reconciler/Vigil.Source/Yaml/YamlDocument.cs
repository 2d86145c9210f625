using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;

namespace Vigil.Source.Yaml;

/// <summary>One YAML document as a JSON tree (what the schema validates) plus where each field was written.</summary>
internal sealed record YamlDocument(string File, int Index, JToken Root, SourceOrigin Origin)
{
    public string? Kind => (Root as JObject)?["kind"] is JValue { Type: JTokenType.String } kind ? (string?)kind : null;

    // metadata written as a scalar or a list (the schema reports it) must not throw here: fuzzing found it did.
    public string? Name => ((Root as JObject)?["metadata"] as JObject)?["name"] is JValue { Type: JTokenType.String } name ? (string?)name : null;
}
