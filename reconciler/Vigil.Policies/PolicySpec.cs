using Vigil.Core.Desired;

namespace Vigil.Policies;

public enum PolicySeverity { Deny, Warn }

/// <summary>
/// A <c>kind: Policy</c> document: rules every document must pass, folder owners, and shipped policies to include.
/// Policies live in the repository's <c>policies/</c> folder, which the git host's code owners should protect.
/// </summary>
public sealed record PolicySpec
{
    /// <summary>Shipped policies by name (Vigil's <c>policies/NAME.yaml</c>), e.g. <c>baseline</c>.</summary>
    public ValueList<string> Include { get; init; } = [];

    /// <summary>The severity of every rule this policy includes (transitively), when not as written: production includes baseline at deny.</summary>
    public PolicySeverity? IncludeSeverity { get; init; }

    /// <summary>Values rules read as <c>params</c> (say <c>vipPrefixes</c>), so a shipped rule can hold a repository's own limits.</summary>
    public Newtonsoft.Json.Linq.JObject? Parameters { get; init; }

    public ValueList<PolicyRule> Rules { get; init; } = [];
    public ValueList<FolderOwner> Owners { get; init; } = [];
}

/// <summary>One rule: documents it matches must make <see cref="Expression"/> true, or get <see cref="Message"/>.</summary>
public sealed record PolicyRule
{
    public string Name { get; init; } = "";
    public RuleMatch Match { get; init; } = new();
    public string Expression { get; init; } = "";
    public string Message { get; init; } = "";
    public PolicySeverity Severity { get; init; } = PolicySeverity.Deny;

    /// <summary>The field a failure points at (<c>spec.authentication</c>); the document's kind line when absent.</summary>
    public string? Field { get; init; }
}

/// <summary>Which documents a rule applies to: any of these kinds (all when empty) in any of these folders (all when empty).</summary>
public sealed record RuleMatch
{
    public ValueList<string> Kinds { get; init; } = [];
    public ValueList<string> Folders { get; init; } = [];
}

/// <summary>
/// What the documents below one folder may define. Each document is governed by the most specific owner whose
/// folder holds it; once any owner is declared, a document no owner's folder holds is refused.
/// </summary>
public sealed record FolderOwner
{
    public string Folder { get; init; } = "";
    public string? Team { get; init; }
    public ValueList<string> Kinds { get; init; } = [];

    /// <summary>VRIDs as numbers or ranges: <c>51</c>, <c>"100-149"</c>.</summary>
    public ValueList<string> VirtualRouterIds { get; init; } = [];

    /// <summary>Prefixes every virtual address and virtual server address must lie in.</summary>
    public ValueList<IpPrefix> Addresses { get; init; } = [];
    public ValueList<string> Interfaces { get; init; } = [];
}

/// <summary>A bound Policy document; <see cref="Shipped"/> when it came from Vigil's own <c>policies/</c> by include.</summary>
public sealed record PolicyDocument(string Name, PolicySpec Spec, SourceOrigin Origin, bool Shipped = false);

/// <summary>A document policies are checked against: its raw tree, with its path relative to the repository's root.</summary>
public sealed record PolicySubject(string Kind, string Name, string Path, Newtonsoft.Json.Linq.JToken Document, SourceOrigin Origin);
