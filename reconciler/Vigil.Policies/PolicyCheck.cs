using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Policies.Expressions;

namespace Vigil.Policies;

/// <summary>
/// Checks documents against the repository's policies: first the policies themselves (a rule that does not compile
/// is an error in the policy, located at its expression), then every rule on every document it matches, then folder
/// ownership. A deny rule that fails, or cannot be evaluated, is an error: the revision is refused like an invalid one.
/// </summary>
public static class PolicyCheck
{
    /// <summary>Where a repository keeps its Policy documents, relative to its root.</summary>
    public const string Folder = "policies/";

    public static void Run(IReadOnlyList<PolicyDocument> policies, IReadOnlyList<PolicySubject> subjects, DiagnosticBag diagnostics) =>
        Run(policies, subjects, diagnostics, CelSubset.Instance);

    public static void Run(IReadOnlyList<PolicyDocument> policies, IReadOnlyList<PolicySubject> subjects, DiagnosticBag diagnostics, IExpressionLanguage language)
    {
        var rules = Compile(policies, diagnostics, language);
        var owners = FolderOwnership.Build(policies, diagnostics);
        var context = new RuleContext(subjects.FirstOrDefault(s => s.Kind == Kinds.Cluster)?.Document, Parameters(policies, diagnostics));
        var inputs = subjects.Select(s => (Subject: s, Input: new RuleInput(s.Document, s.Kind, s.Name, s.Path, context))).ToList();
        foreach (var (subject, input) in inputs)
        {
            foreach (var rule in rules.Where(r => r.Applies(subject)))
            {
                rule.Check(subject, input, diagnostics);
            }
            owners?.Check(subject, diagnostics);
        }
    }

    /// <summary>The repository's parameters, from all its policies; one name given two values is an error, not a silent pick.</summary>
    private static Newtonsoft.Json.Linq.JObject Parameters(IReadOnlyList<PolicyDocument> policies, DiagnosticBag diagnostics)
    {
        var merged = new Newtonsoft.Json.Linq.JObject();
        var from = new Dictionary<string, PolicyDocument>(StringComparer.Ordinal);
        foreach (var policy in policies.Where(p => p.Spec.Parameters is not null))
        {
            foreach (var (name, value) in policy.Spec.Parameters!)
            {
                if (merged.TryGetValue(name, out var earlier) && !Newtonsoft.Json.Linq.JToken.DeepEquals(earlier, value))
                {
                    diagnostics.Error(policy.Origin, $"spec.parameters.{name}", "policy",
                        $"parameter '{name}' already has another value in policy '{from[name].Name}' ({from[name].Origin.File})");
                    continue;
                }
                merged[name] = value;
                from[name] = policy;
            }
        }
        return merged;
    }

    private static List<CompiledRule> Compile(IReadOnlyList<PolicyDocument> policies, DiagnosticBag diagnostics, IExpressionLanguage language)
    {
        var compiled = new List<CompiledRule>();
        foreach (var policy in policies)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < policy.Spec.Rules.Count; i++)
            {
                var rule = policy.Spec.Rules[i];
                var at = $"spec.rules[{i}]";
                var ok = true;
                if (!names.Add(rule.Name))
                {
                    diagnostics.Error(policy.Origin, at + ".name", "policy", $"a second rule named '{rule.Name}' in policy '{policy.Name}'");
                    ok = false;
                }
                for (var k = 0; k < rule.Match.Kinds.Count; k++)
                {
                    var kind = rule.Match.Kinds[k];
                    if (!Kinds.All.Contains(kind) || kind == Kinds.Policy)
                    {
                        diagnostics.Error(policy.Origin, $"{at}.match.kinds[{k}]", "policy",
                            $"'{kind}' is not a kind rules can match{NearMiss.Suggestion(kind, Kinds.All)}");
                        ok = false;
                    }
                }
                var folders = new List<FolderPattern>();
                for (var f = 0; f < rule.Match.Folders.Count; f++)
                {
                    if (FolderPattern.TryParse(rule.Match.Folders[f], out var pattern, out var error))
                    {
                        folders.Add(pattern!);
                    }
                    else
                    {
                        diagnostics.Error(policy.Origin, $"{at}.match.folders[{f}]", "policy", error!);
                        ok = false;
                    }
                }
                IRuleExpression? expression = null;
                try
                {
                    expression = language.Compile(rule.Expression);
                }
                catch (ExpressionException e)
                {
                    diagnostics.Error(policy.Origin, at + ".expression", "policy", $"column {e.Column}: {e.Message}");
                    ok = false;
                }
                if (ok)
                {
                    compiled.Add(new CompiledRule(policy, rule, folders, expression!));
                }
            }
        }
        return compiled;
    }

    private sealed record CompiledRule(PolicyDocument Policy, PolicyRule Rule, List<FolderPattern> Folders, IRuleExpression Expression)
    {
        private string Id => $"policy {Policy.Name}/{Rule.Name}";

        public bool Applies(PolicySubject subject) =>
            (Rule.Match.Kinds.Count == 0 || Rule.Match.Kinds.Contains(subject.Kind))
            && (Folders.Count == 0 || Folders.Exists(f => f.Holds(subject.Path)));

        public void Check(PolicySubject subject, RuleInput input, DiagnosticBag diagnostics)
        {
            var field = Rule.Field ?? "kind";
            var severity = Rule.Severity == PolicySeverity.Deny ? Severity.Error : Severity.Warning;
            string message;
            try
            {
                if (Expression.Test(input))
                {
                    return;
                }
                message = Rule.Message;
            }
            catch (ExpressionException e)
            {
                // Fail closed: a deny rule that cannot say yes refuses the document, and says why.
                message = $"rule cannot be checked on {subject.Kind} '{subject.Name}': column {e.Column}: {e.Message}";
            }
            diagnostics.Add(new Diagnostic(severity, Id, subject.Origin.File, subject.Origin.Locate(field), field, message));
        }
    }
}
