using Vigil.Import.Reading;

namespace Vigil.Import.Merging;

/// <summary>
/// One resource from the nodes that have it: the first node's draft, and a finding for every field another node's
/// file sets differently (both file:line). Fields that are the cluster's, not a node's, must agree.
/// </summary>
internal static class ResourceMerger
{
    public static ResourceDraft Merge(IReadOnlyList<(string Node, ResourceDraft Draft)> drafts, List<ImportFinding> findings, string what)
    {
        var (firstNode, first) = drafts[0];
        var firstLeaves = first.Spec.Leaves().ToDictionary(l => l.Path, l => l.Value, StringComparer.Ordinal);
        foreach (var (node, draft) in drafts.Skip(1))
        {
            var leaves = draft.Spec.Leaves().ToDictionary(l => l.Path, l => l.Value, StringComparer.Ordinal);
            foreach (var path in firstLeaves.Keys.Union(leaves.Keys).Order(StringComparer.Ordinal))
            {
                var mine = firstLeaves.GetValueOrDefault(path);
                var theirs = leaves.GetValueOrDefault(path);
                if (mine == theirs)
                {
                    continue;
                }
                var secret = path.EndsWith("password", StringComparison.Ordinal);
                string Say(string? value) => value is null ? "nothing" : secret ? "a password" : value;
                findings.Add(new ImportFinding(FindingKind.Disagreement, path,
                    $"{what}: {firstNode} says {Say(mine)}, {node} says {Say(theirs)}{(secret ? " (not the same)" : "")}; {firstNode}'s is written",
                    [first.PositionOf(path), draft.PositionOf(path)]));
            }
        }
        return first;
    }
}
