using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Policies;
using Vigil.Source.Schema;
using Vigil.Source.Yaml;

namespace Vigil.Source;

/// <summary>
/// The repository's Policy documents applied to its other documents: each Policy must sit in <c>policies/</c>, its
/// includes are read from the policies shipped beside the binary, and every finding joins the revision's diagnostics.
/// </summary>
internal static class RepositoryPolicies
{
    public static void Check(IReadOnlyList<YamlDocument> documents, IReadOnlyList<Resource<PolicySpec>> bound, string root, DiagnosticBag diagnostics)
    {
        var policies = new List<PolicyDocument>();
        foreach (var policy in bound)
        {
            var path = Relative(policy.Origin.File, root);
            if (!path.StartsWith(PolicyCheck.Folder, StringComparison.Ordinal))
            {
                diagnostics.Error(policy.Origin, "kind", "policy-location",
                    $"a Policy belongs in the repository's {PolicyCheck.Folder} folder (protected by the git host's code owners), not in {Folder(path)}");
                continue;
            }
            policies.Add(new PolicyDocument(policy.Name, policy.Spec, policy.Origin));
        }
        policies.AddRange(ShippedPolicies.Included(policies, diagnostics));
        if (policies.Count == 0)
        {
            return;
        }
        // Policies judge what was written, before defaults; documents the schema refused are already errors.
        var subjects = documents
            .Where(d => d.Kind is { } kind && kind != Kinds.Policy && Kinds.All.Contains(kind) && d.Name is not null && d.Root is JObject)
            .Select(d => new PolicySubject(d.Kind!, d.Name!, Relative(d.File, root), d.Root, d.Origin))
            .ToList();
        PolicyCheck.Run(policies, subjects, diagnostics);
    }

    /// <summary>The path below <paramref name="root"/>, '/'-separated, as policies' folders are written.</summary>
    internal static string Relative(string path, string root)
    {
        var relative = root.Trim('/').Length == 0 ? path : Path.GetRelativePath(root, path);
        relative = relative.Replace('\\', '/');
        return relative.StartsWith("./", StringComparison.Ordinal) ? relative[2..] : relative;
    }

    private static string Folder(string path) => path.LastIndexOf('/') is var slash and >= 0 ? path[..(slash + 1)] : "the repository's root";
}

/// <summary>
/// The policies Vigil ships (its <c>policies/NAME.yaml</c>, installed beside the binary as the schemas are), which a
/// repository's Policy names in <c>include</c>. Read and checked like a repository's own, once per process.
/// </summary>
internal static class ShippedPolicies
{
    private static readonly Lazy<Dictionary<string, PolicyDocument>> Shipped = new(() => Load(Path.Combine(AppContext.BaseDirectory, "policies")));

    public static IReadOnlyCollection<string> Names => Shipped.Value.Keys;

    /// <summary>
    /// Every shipped policy the repository's include, transitively, once each. An include's severity (its includer's
    /// <c>includeSeverity</c>, or the one it was itself included with) overrides the rules' own; a policy included on
    /// two paths takes, rule by rule, the stricter.
    /// </summary>
    public static IReadOnlyList<PolicyDocument> Included(IReadOnlyList<PolicyDocument> policies, DiagnosticBag diagnostics)
    {
        var overrides = new Dictionary<string, HashSet<PolicySeverity?>>(StringComparer.Ordinal);
        var order = new List<string>();
        var pending = new Queue<(PolicyDocument Policy, PolicySeverity? Override)>(policies.Select(p => (p, (PolicySeverity?)null)));
        while (pending.TryDequeue(out var next))
        {
            var (policy, inherited) = next;
            var severity = inherited ?? policy.Spec.IncludeSeverity;
            for (var i = 0; i < policy.Spec.Include.Count; i++)
            {
                var name = policy.Spec.Include[i];
                if (!Shipped.Value.TryGetValue(name, out var shipped))
                {
                    diagnostics.Error(policy.Origin, $"spec.include[{i}]", "policy",
                        $"no shipped policy '{name}'{NearMiss.Suggestion(name, [.. Shipped.Value.Keys])} (shipped: {string.Join(", ", Shipped.Value.Keys.Order(StringComparer.Ordinal))})");
                    continue;
                }
                if (!overrides.TryGetValue(name, out var seen))
                {
                    overrides[name] = seen = [];
                    order.Add(name);
                }
                // A path already walked with this severity adds nothing (and include cycles end here).
                if (seen.Add(severity))
                {
                    pending.Enqueue((shipped, severity));
                }
            }
        }
        return [.. order.Select(name => WithSeverity(Shipped.Value[name], overrides[name]))];
    }

    private static PolicyDocument WithSeverity(PolicyDocument policy, HashSet<PolicySeverity?> overrides) => policy with
    {
        Spec = policy.Spec with
        {
            Rules = [.. policy.Spec.Rules.Select(rule => rule with
            {
                Severity = overrides.Any(o => (o ?? rule.Severity) == PolicySeverity.Deny) ? PolicySeverity.Deny : PolicySeverity.Warn,
            })],
        },
    };

    /// <summary>A shipped policy that does not load is a broken install, as a missing schema is.</summary>
    internal static Dictionary<string, PolicyDocument> Load(string directory)
    {
        var result = new Dictionary<string, PolicyDocument>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return result;
        }
        var schema = new SchemaValidator(SchemaSet.Default);
        foreach (var file in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var diagnostics = new DiagnosticBag();
            foreach (var document in YamlFileReader.Read(file, File.ReadAllText(file), diagnostics))
            {
                if (document.Kind == Kinds.Policy && schema.Validate(document, diagnostics)
                    && ResourceBinder.TryBind<PolicySpec>(document, diagnostics, out var policy))
                {
                    result[policy!.Name] = new PolicyDocument(policy.Name, policy.Spec, policy.Origin, Shipped: true);
                }
            }
            if (diagnostics.Items.Count > 0)
            {
                throw new InvalidDataException($"shipped policy {file} is broken: {diagnostics.Items[0]}");
            }
        }
        return result;
    }
}
