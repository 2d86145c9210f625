using System.Text;
using Newtonsoft.Json.Linq;
using Vigil.Policies.Expressions;

namespace Vigil.Fuzz.Targets;

/// <summary>
/// A rule's expression as a Policy commits it: compiled, then evaluated on a VrrpInstance. Compile and evaluation
/// errors are answers (ExpressionException); anything else escaping, or a stack overflow, is a finding.
/// </summary>
public sealed class PolicyTarget : IFuzzTarget
{
    private static readonly JToken Document = JToken.Parse("""
        {
          "apiVersion": "vigil/v1", "kind": "VrrpInstance", "metadata": { "name": "vi_web" },
          "spec": {
            "virtualRouterId": 51, "interface": "eth0", "advertInterval": "1s",
            "members": [ { "node": "ka1", "priority": 100 }, { "node": "ka2", "priority": 80 } ],
            "virtualAddresses": [ { "address": "198.51.100.100/24" }, { "address": "2001:db8::100" } ]
          }
        }
        """);

    public string Name => "policy";

    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            CelSubset.Instance.Compile(Encoding.UTF8.GetString(input)).Test(new RuleInput(Document, "VrrpInstance", "vi_web", "network/vi_web.yaml"));
        }
        catch (ExpressionException)
        {
            // The answer for text that is no rule, or a rule this document fails to evaluate.
        }
    }
}
