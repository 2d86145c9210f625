using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Policies.Expressions;

namespace Vigil.Policies;

/// <summary>
/// Folder ownership: which folder may define which kinds, VRIDs, addresses and interfaces, so that one team's folder
/// cannot claim another team's VIP. Built from every Policy's <c>owners</c>; a document outside every owned folder,
/// or claiming what its folder's owner may not, is refused at the field that claims it.
/// </summary>
internal sealed class FolderOwnership
{
    private const string Rule = "ownership";

    private readonly List<Owner> _owners;

    private FolderOwnership(List<Owner> owners) => _owners = owners;

    private sealed record Owner(FolderOwner Spec, FolderPattern Folder, List<(int First, int Last)> VirtualRouterIds)
    {
        public string Describe => Spec.Team is { } team ? $"folder {Folder.Text} (team {team})" : $"folder {Folder.Text}";
    }

    /// <summary>
    /// Null when no policy declares owners (any folder may define anything), or when an owner is itself in error
    /// (that refuses the revision already; checking documents against half the owners would only add noise).
    /// </summary>
    public static FolderOwnership? Build(IReadOnlyList<PolicyDocument> policies, DiagnosticBag diagnostics)
    {
        var owners = new List<Owner>();
        var seen = new Dictionary<string, (PolicyDocument Policy, int Index)>(StringComparer.Ordinal);
        var broken = false;
        foreach (var policy in policies)
        {
            for (var i = 0; i < policy.Spec.Owners.Count; i++)
            {
                if (Parse(policy, i, diagnostics) is not { } owner)
                {
                    broken = true;
                    continue;
                }
                if (seen.TryGetValue(owner.Folder.Text, out var first))
                {
                    diagnostics.Error(policy.Origin, $"spec.owners[{i}].folder", Rule,
                        $"folder {owner.Folder.Text} already has an owner ({first.Policy.Origin.File}:{first.Policy.Origin.Locate($"spec.owners[{first.Index}].folder").Line}); one owner per folder");
                    broken = true;
                    continue;
                }
                seen[owner.Folder.Text] = (policy, i);
                owners.Add(owner);
            }
        }
        return owners.Count == 0 || broken ? null : new FolderOwnership(owners);
    }

    private static Owner? Parse(PolicyDocument policy, int index, DiagnosticBag diagnostics)
    {
        var spec = policy.Spec.Owners[index];
        var at = $"spec.owners[{index}]";
        var ok = true;
        if (!FolderPattern.TryParse(spec.Folder, out var folder, out var error))
        {
            diagnostics.Error(policy.Origin, at + ".folder", Rule, error!);
            ok = false;
        }
        for (var k = 0; k < spec.Kinds.Count; k++)
        {
            if (!Kinds.All.Contains(spec.Kinds[k]) || spec.Kinds[k] == Kinds.Policy)
            {
                diagnostics.Error(policy.Origin, $"{at}.kinds[{k}]", Rule,
                    $"'{spec.Kinds[k]}' is not a kind a folder can own{NearMiss.Suggestion(spec.Kinds[k], Kinds.All)}");
                ok = false;
            }
        }
        var ranges = new List<(int, int)>();
        for (var v = 0; v < spec.VirtualRouterIds.Count; v++)
        {
            if (VridRange(spec.VirtualRouterIds[v]) is { } range)
            {
                ranges.Add(range);
            }
            else
            {
                diagnostics.Error(policy.Origin, $"{at}.virtualRouterIds[{v}]", Rule, $"'{spec.VirtualRouterIds[v]}' is not a VRID (1-255) or a range like 100-149");
                ok = false;
            }
        }
        return ok ? new Owner(spec, folder!, ranges) : null;
    }

    private static (int, int)? VridRange(string text)
    {
        var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        return int.TryParse(parts[0], out var first) && int.TryParse(parts[^1], out var last) && first >= 1 && last <= 255 && first <= last
            ? (first, last) : null;
    }

    public void Check(PolicySubject subject, DiagnosticBag diagnostics)
    {
        var owner = _owners.Where(o => o.Folder.Holds(subject.Path)).MaxBy(o => o.Folder.Specificity);
        if (owner is null)
        {
            diagnostics.Error(subject.Origin, "kind", Rule,
                $"no owner is declared for {Folder(subject.Path)}; with owners in {PolicyCheck.Folder}, every document must be in an owned folder");
            return;
        }
        var spec = owner.Spec;
        if (spec.Kinds.Count > 0 && !spec.Kinds.Contains(subject.Kind))
        {
            diagnostics.Error(subject.Origin, "kind", Rule,
                $"{owner.Describe} may define {string.Join(", ", spec.Kinds)}, not {subject.Kind}");
            return;
        }
        var root = subject.Document["spec"] as JObject;
        if (root is null)
        {
            return;
        }
        if (owner.VirtualRouterIds.Count > 0 && root["virtualRouterId"] is JValue { Type: JTokenType.Integer } vrid
            && !owner.VirtualRouterIds.Exists(r => (long)vrid >= r.First && (long)vrid <= r.Last))
        {
            diagnostics.Error(subject.Origin, "spec.virtualRouterId", Rule,
                $"VRID {(long)vrid} is outside the VRIDs of {owner.Describe} ({string.Join(", ", spec.VirtualRouterIds)})");
        }
        if (spec.Addresses.Count > 0)
        {
            foreach (var (field, text) in Addresses(root))
            {
                // A VIP's length (198.51.100.100/24) is its subnet's, not a claim on the subnet: the address is what is claimed.
                if (IpPrefix.TryParse(text, out var address) && !spec.Addresses.Any(p => Functions.Contains(p, address.Value with { PrefixLength = -1 })))
                {
                    diagnostics.Error(subject.Origin, field, Rule,
                        $"{text} is outside the addresses of {owner.Describe} ({string.Join(", ", spec.Addresses)})");
                }
            }
        }
        if (spec.Interfaces.Count > 0)
        {
            foreach (var (field, name) in Interfaces(root))
            {
                if (!spec.Interfaces.Contains(name))
                {
                    diagnostics.Error(subject.Origin, field, Rule,
                        $"interface {name} is not one of {owner.Describe}'s ({string.Join(", ", spec.Interfaces)})");
                }
            }
        }
    }

    private static string Folder(string path) => path.LastIndexOf('/') is var slash and >= 0 ? $"folder {path[..(slash + 1)]}" : "the repository's root";

    /// <summary>What a document claims on the network: virtual addresses, excluded addresses, a virtual server's address or group.</summary>
    private static IEnumerable<(string Field, string Text)> Addresses(JObject spec)
    {
        foreach (var list in new[] { "virtualAddresses", "excludedAddresses" })
        {
            foreach (var (i, item) in Items(spec, list))
            {
                if (item["address"] is JValue { Type: JTokenType.String } address)
                {
                    yield return ($"spec.{list}[{i}].address", (string)address!);
                }
            }
        }
        if (spec["address"] is JValue { Type: JTokenType.String } server)
        {
            yield return ("spec.address", (string)server!);
        }
        if (spec["group"] is JObject group)
        {
            foreach (var (i, member) in Items(group, "members"))
            {
                foreach (var end in new[] { "address", "lastAddress" })
                {
                    if (member[end] is JValue { Type: JTokenType.String } address)
                    {
                        yield return ($"spec.group.members[{i}].{end}", (string)address!);
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Field, string Name)> Interfaces(JObject spec)
    {
        if (spec["interface"] is JValue { Type: JTokenType.String } main)
        {
            yield return ("spec.interface", (string)main!);
        }
        foreach (var list in new[] { "virtualAddresses", "excludedAddresses" })
        {
            foreach (var (i, item) in Items(spec, list))
            {
                if (item["dev"] is JValue { Type: JTokenType.String } dev)
                {
                    yield return ($"spec.{list}[{i}].dev", (string)dev!);
                }
            }
        }
    }

    private static IEnumerable<(int, JObject)> Items(JObject parent, string name) =>
        parent[name] is JArray array ? array.Select((item, i) => (i, item as JObject)).Where(x => x.Item2 is not null).Select(x => (x.i, x.Item2!)) : [];
}
