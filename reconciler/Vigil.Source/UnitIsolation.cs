using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Source.Yaml;

namespace Vigil.Source;

/// <summary>A unit kept at an earlier commit: which, the commit it runs (null: it runs nothing), and why.</summary>
public sealed record HeldUnit(string Unit, string? Commit, string Reason)
{
    /// <summary>"unit db/ held back at commit 1a2b3c4d5e6f: db/vi.yaml:6:3: error: ...", for logs, history and plans.</summary>
    public override string ToString() =>
        $"unit {Unit} held back at {(Commit is null ? "nothing (it has no good commit)" : $"commit {Git.GitSource.Short(Commit)}")}: {Reason}";
}

/// <summary>A revision made of the new commit's valid units and the held units' last good files.</summary>
public sealed record IsolatedRevision(SourceRevision Revision, LoadResult Load, IReadOnlyList<HeldUnit> Held);

/// <summary>A unit's last good version: the commit and its files in that unit.</summary>
public sealed record UnitVersion(string? Commit, IReadOnlyList<(string Path, string Text)> Files);

/// <summary>
/// Fault isolation per unit (Cluster <c>faultIsolation: topLevelFolders</c>): when a commit is invalid, the units
/// (top-level folders; the root's files together) holding the errors keep their last good files and the rest of the
/// commit goes ahead, provided the result is valid and nothing in an advancing unit refers to a held one (an instance
/// tracking a script, a sync group naming an instance, a member naming a node). Repeated until the composition is
/// valid; when it cannot be (an error no unit change removes, or every unit held), the commit is refused whole.
/// </summary>
public static class UnitIsolation
{
    public const string RootUnit = "/";

    /// <summary><c>db/</c> for <c>db/x.yaml</c> and <c>db/a/y.yaml</c>; <c>/</c> for files at the root.</summary>
    public static string UnitOf(string path, string root)
    {
        var relative = RepositoryPolicies.Relative(path, root);
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? RootUnit : relative[..(slash + 1)];
    }

    /// <summary>
    /// The revision to apply instead of an invalid <paramref name="next"/>, or null when isolation cannot make one.
    /// <paramref name="lastGood"/> gives each unit's last good version (null when it never had one).
    /// </summary>
    public static IsolatedRevision? Compose(SourceRevision next, LoadResult invalid, Func<string, UnitVersion?> lastGood, DesiredStateLoader loader)
    {
        var units = next.Files.Select(f => UnitOf(f.Path, next.Root)).ToHashSet(StringComparer.Ordinal);
        var references = UnitReferences.Read(next.Files, next.Root);
        var held = new Dictionary<string, HeldUnit>(StringComparer.Ordinal);
        // A unit with no files at its last good commit did not exist then: held, it runs nothing.
        string? GoodCommit(string unit) => lastGood(unit) is { Files.Count: > 0 } version ? version.Commit : null;
        var result = invalid;
        while (!result.IsValid)
        {
            var before = held.Count;
            foreach (var error in result.Diagnostics.Where(d => d.Severity == Severity.Error))
            {
                var unit = UnitOf(error.File, next.Root);
                if (!units.Contains(unit) || held.ContainsKey(unit))
                {
                    continue; // not in a file of the commit (no Cluster at all), or in a held unit's old files: no hold helps
                }
                held[unit] = new HeldUnit(unit, GoodCommit(unit), error.ToString());
            }
            references.HoldDependents(held, GoodCommit);
            if (held.Count == before || held.Count == units.Count)
            {
                return null;
            }
            var files = next.Files.Where(f => !held.ContainsKey(UnitOf(f.Path, next.Root)))
                .Concat(held.Keys.SelectMany(unit => lastGood(unit)?.Files ?? []))
                .OrderBy(f => f.Path, StringComparer.Ordinal)
                .ToList();
            result = loader.Load(files, next.Root);
            if (result.IsValid)
            {
                return new IsolatedRevision(next with { Files = files }, result, [.. held.Values.OrderBy(h => h.Unit, StringComparer.Ordinal)]);
            }
        }
        return null;
    }
}

/// <summary>What each unit of a commit defines and refers to, read from its documents as written.</summary>
internal sealed class UnitReferences
{
    private const string Node = "node";

    private readonly Dictionary<(string Kind, string Name), string> _definedIn = [];
    private readonly List<(string Unit, string Document, string Kind, string Name)> _refers = [];

    public static UnitReferences Read(IEnumerable<(string Path, string Text)> files, string root)
    {
        var index = new UnitReferences();
        var ignored = new DiagnosticBag();
        foreach (var (path, text) in files)
        {
            var unit = UnitIsolation.UnitOf(path, root);
            foreach (var document in YamlFileReader.Read(path, text, ignored))
            {
                if (document is { Kind: { } kind, Name: { } name, Root: JObject tree })
                {
                    index.Add(unit, kind, name, tree["spec"] as JObject);
                }
            }
        }
        return index;
    }

    private void Add(string unit, string kind, string name, JObject? spec)
    {
        _definedIn.TryAdd((kind, name), unit);
        if (spec is null)
        {
            return;
        }
        var document = $"{kind} '{name}'";
        switch (kind)
        {
            case Kinds.Cluster:
                foreach (var node in Names(spec["nodes"], "name"))
                {
                    _definedIn.TryAdd((Node, node), unit);
                }
                break;
            case Kinds.VrrpInstance:
                _refers.AddRange(Names(spec["members"], "node").Select(n => (unit, document, Node, n)));
                _refers.AddRange(Names(spec["trackScripts"], "name").Select(n => (unit, document, Kinds.VrrpScript, n)));
                break;
            case Kinds.SyncGroup:
                _refers.AddRange(Names(spec["instances"], null).Select(n => (unit, document, Kinds.VrrpInstance, n)));
                break;
        }
    }

    private static IEnumerable<string> Names(JToken? list, string? field) =>
        list is JArray items
            ? items.Select(i => field is null ? i : (i as JObject)?[field]).OfType<JValue>().Where(v => v.Type == JTokenType.String).Select(v => (string)v!)
            : [];

    /// <summary>Holds every advancing unit that refers to something a held unit defines, until none does.</summary>
    public void HoldDependents(Dictionary<string, HeldUnit> held, Func<string, string?> lastGoodCommit)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (unit, document, kind, name) in _refers)
            {
                if (held.ContainsKey(unit) || !_definedIn.TryGetValue((kind, name), out var owner) || !held.ContainsKey(owner) || owner == unit)
                {
                    continue;
                }
                var what = kind == Node ? $"node '{name}'" : $"{kind} '{name}'";
                held[unit] = new HeldUnit(unit, lastGoodCommit(unit), $"{document} refers to {what} of unit {owner}, which is held back");
                changed = true;
            }
        }
    }
}
