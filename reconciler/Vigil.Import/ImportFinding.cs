namespace Vigil.Import;

/// <summary>What IMPORT.md lists: how each thing the importer met was carried over, or why not.</summary>
public enum FindingKind
{
    /// <summary>Carried over in another form (the same behaviour, said differently).</summary>
    Translated,
    /// <summary>keepalived's default written out, because Vigil's differs.</summary>
    DefaultWritten,
    /// <summary>Not carried over: behaviour changes unless the operator acts.</summary>
    NotImported,
    /// <summary>The nodes' files say different things where a cluster says one.</summary>
    Disagreement,
}

/// <summary>One finding, with every place in the keepalived files it is about.</summary>
public sealed record ImportFinding(FindingKind Kind, string Keyword, string Message, IReadOnlyList<KeepalivedConf.ConfPosition> Positions)
{
    /// <summary>Whether an operator must look before relying on the imported folder (exit 2).</summary>
    public bool NeedsAttention => Kind is FindingKind.NotImported or FindingKind.Disagreement;

    public override string ToString() => $"{string.Join(", ", Positions)}: {Keyword}: {Message}";
}
