using System.Text;

namespace Vigil.Import.Merging;

/// <summary>IMPORT.md: what came from where, what changed form, what defaults were written, and what was not carried over.</summary>
public static class ImportReport
{
    private static readonly (FindingKind Kind, string Title, string Intro)[] Sections =
    [
        (FindingKind.NotImported, "Not carried over", "Vigil behaves differently here until you act: each line says why."),
        (FindingKind.Disagreement, "The nodes disagree", "A cluster says these once; the first node's value was written."),
        (FindingKind.DefaultWritten, "keepalived's defaults, written out", "Vigil's default differs, so keepalived's value is in the YAML."),
        (FindingKind.Translated, "Carried over in another form", "The same behaviour, said the way Vigil says it (or Vigil is stricter)."),
    ];

    public static string Markdown(IReadOnlyList<NodeFile> nodes, IReadOnlyList<ImportFinding> findings, IEnumerable<string> files)
    {
        var text = new StringBuilder("# Imported from keepalived\n\n");
        text.Append("| node | keepalived.conf |\n| --- | --- |\n");
        foreach (var node in nodes)
        {
            text.Append($"| {node.Node} | `{node.File}` |\n");
        }
        text.Append("\nWritten: ").Append(string.Join(", ", files.Order(StringComparer.Ordinal).Select(f => $"`{f}`"))).Append(" (one file per kind; one per virtual server under `virtual-servers/`).\n");
        var attention = findings.Count(f => f.NeedsAttention);
        text.Append(attention == 0
            ? "\nEverything was carried over: `vigil validate` the folder, and compare `vigil render --node NODE --output keepalived` with the original.\n"
            : $"\n**{attention} thing(s) need attention** (below, first). `vigil import` exits 2 until none is left.\n");
        foreach (var (kind, title, intro) in Sections)
        {
            var these = findings.Where(f => f.Kind == kind).ToList();
            if (these.Count == 0)
            {
                continue;
            }
            text.Append($"\n## {title} ({these.Count})\n\n{intro}\n\n");
            foreach (var finding in these)
            {
                text.Append($"- `{string.Join("`, `", finding.Positions)}` **{finding.Keyword}**: {finding.Message}\n");
            }
        }
        return text.ToString();
    }
}
