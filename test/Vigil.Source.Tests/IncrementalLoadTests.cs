using Vigil.Core.Planning;
using Vigil.Tests;

namespace Vigil.Source.Tests;

/// <summary>
/// An incremental load (an agent, `vigil plan` between two commits) reuses what each unchanged file gave and reads only
/// the changed ones, and its result equals a full load of the same revision: the same state (no change between the two
/// for any node), the same findings in the same order, whatever the edit: a value, a new file, a schema error and its
/// fix, a YAML syntax error, a name defined twice across an old and a new file.
/// </summary>
public sealed class IncrementalLoadTests
{
    private static List<(string Path, string Text)> Example(string name)
    {
        var root = Path.Combine(RepoPaths.Examples, name);
        return [.. DesiredStateLoader.EnumerateYaml(root).Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f)))];
    }

    private static List<(string Path, string Text)> Edited(List<(string Path, string Text)> files, string path, string from, string to) =>
        [.. files.Select(f => f.Path == path ? (f.Path, Replaced(f.Text, from, to)) : f)];

    private static string Replaced(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static void SameAsAFullLoad(LoadResult incremental, List<(string Path, string Text)> files)
    {
        var full = new DesiredStateLoader().Load(files);
        Assert.Equal(full.Diagnostics.Select(d => d.ToString()), incremental.Diagnostics.Select(d => d.ToString()));
        Assert.Equal((full.Files, full.Documents, full.IsValid), (incremental.Files, incremental.Documents, incremental.IsValid));
        if (full.State is { } state)
        {
            var plan = ClusterPlanner.Between(state, incremental.State!);
            Assert.True(plan.IsEmpty, string.Join("; ", plan.Nodes.SelectMany(n => n.Changes)));
        }
    }

    [Fact]
    public void EachRevision_ReadsOnlyTheChangedFiles_AndEqualsAFullLoad()
    {
        var loader = DesiredStateLoader.Incremental();
        var first = Example("lvs-dr");
        SameAsAFullLoad(loader.Load(first), first);
        Assert.Equal(first.Count, loader.FilesRead);

        // The same revision again: nothing read.
        SameAsAFullLoad(loader.Load(first), first);
        Assert.Equal(0, loader.FilesRead);

        var vip = Edited(first, "vi_web.yaml", "198.51.100.100/24", "198.51.100.120/24");
        SameAsAFullLoad(loader.Load(vip), vip);
        Assert.Equal(1, loader.FilesRead);

        var invalid = Edited(vip, "vi_web.yaml", "virtualRouterId: 51", "virtualRouterId: 300");
        var refused = loader.Load(invalid);
        Assert.False(refused.IsValid);
        SameAsAFullLoad(refused, invalid);

        // Back to the valid revision: its file is read again (only the last load is kept), the others reused.
        SameAsAFullLoad(loader.Load(vip), vip);
        Assert.Equal(1, loader.FilesRead);

        List<(string Path, string Text)> broken = [.. vip, ("extra.yaml", "kind: [unclosed\n")];
        SameAsAFullLoad(loader.Load(broken), broken);

        // vi_web defined again in a new file: the duplicate is reported against the new one, as a full load does.
        List<(string Path, string Text)> twice = [.. vip, ("zz-again.yaml", vip.Single(f => f.Path == "vi_web.yaml").Text)];
        var duplicate = loader.Load(twice);
        Assert.Contains(duplicate.Diagnostics, d => d.Rule == "duplicate-name");
        SameAsAFullLoad(duplicate, twice);
        Assert.Equal(1, loader.FilesRead);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryExample_LoadedAfterAnother_EqualsAFullLoad(string name)
    {
        var loader = DesiredStateLoader.Incremental();
        loader.Load(Example("basic"));
        var files = Example(name);

        SameAsAFullLoad(loader.Load(files), files);
    }

    public static TheoryData<string> Examples() => [.. RepoPaths.ExampleNames()];
}
