namespace Vigil.Import.Merging;

/// <summary>One node's file: NODE=FILE on the command line.</summary>
public sealed record NodeFile(string Node, string File);

/// <summary>An address of a node the keepalived files do not say (multicast instances, or a prefix length): --address NODE:IFACE=ADDR/LEN.</summary>
public sealed record NodeAddress(string Node, string Interface, string Prefix);

public sealed record ImportOptions
{
    public string ClusterName { get; init; } = "keepalived";
    public IReadOnlyList<NodeAddress> Addresses { get; init; } = [];
    /// <summary>What each file's yaml-language-server line points at.</summary>
    public string Schema { get; init; } = "/etc/vigil/schemas/vigil.schema.json";
}

/// <summary>The folder to write (relative path → text), everything the report lists, and errors that stop the import.</summary>
public sealed record ImportResult(IReadOnlyDictionary<string, string> Files, IReadOnlyList<ImportFinding> Findings, IReadOnlyList<string> Errors)
{
    public bool NeedsAttention => Findings.Any(f => f.NeedsAttention);
}
