namespace Vigil.Import.KeepalivedConf;

/// <summary>Where a line of keepalived.conf came from (after includes, the file it is in).</summary>
public sealed record ConfPosition(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Something keepalived's own parser would also complain about (or silently do differently), with where.</summary>
public sealed record ConfDiagnostic(ConfPosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}
