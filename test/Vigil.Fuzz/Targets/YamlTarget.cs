using System.Text;
using Vigil.Source;

namespace Vigil.Fuzz.Targets;

/// <summary>A committed file: YAML, schema, binding and the semantic rules, as the agent and `vigil validate` load it.</summary>
public sealed class YamlTarget : IFuzzTarget
{
    private readonly DesiredStateLoader _loader = new();

    public string Name => "yaml";

    public void Run(ReadOnlySpan<byte> input) => _ = _loader.Load([("fuzz.yaml", Encoding.UTF8.GetString(input))]);
}
