using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Reading;

/// <summary>What reading one node's file found, as report entries.</summary>
public sealed class NodeFindings
{
    private readonly List<ImportFinding> _all = [];

    public IReadOnlyList<ImportFinding> All => _all;

    public void NotImported(ConfStatement statement, string why) =>
        _all.Add(new ImportFinding(FindingKind.NotImported, statement.Keyword, why, [statement.Position]));

    public void Translated(ConfStatement statement, string how) =>
        _all.Add(new ImportFinding(FindingKind.Translated, statement.Keyword, how, [statement.Position]));

    public void DefaultWritten(string keyword, string what, ConfPosition at) =>
        _all.Add(new ImportFinding(FindingKind.DefaultWritten, keyword, what, [at]));

    public void Add(ImportFinding finding) => _all.Add(finding);
}
