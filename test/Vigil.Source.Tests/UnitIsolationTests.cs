using Vigil.Source;

namespace Vigil.Source.Tests;

/// <summary>Fault isolation per top-level folder, composed from real YAML through the whole loader.</summary>
public class UnitIsolationTests
{
    private const string Good = "1111111111111111111111111111111111111111";
    private const string Next = "2222222222222222222222222222222222222222";

    private static string Instance(string name, int vrid, string vip, string extra = "") => Loading.Instance(name, vrid, vip + "/24", extra);

    private const string Script = """
        apiVersion: vigil/v1
        kind: VrrpScript
        metadata:
          name: chk_db
        spec:
          script: /usr/bin/true
        """;

    private static readonly (string, string)[] LastGood =
    [
        ("cluster.yaml", Loading.Cluster),
        ("network/vi.yaml", Instance("vi_net", 51, "198.51.100.100")),
        ("db/vi.yaml", Instance("vi_db", 52, "198.51.100.110")),
        ("db/chk.yaml", Script),
    ];

    private static IsolatedRevision? Compose(params (string Path, string Text)[] files)
    {
        var next = new SourceRevision(Next, "next", files);
        var loader = new DesiredStateLoader();
        var invalid = loader.Load(files);
        Assert.False(invalid.IsValid);
        return UnitIsolation.Compose(next, invalid, unit => new UnitVersion(Good, [.. LastGood.Where(f => UnitIsolation.UnitOf(f.Item1, "") == unit)]), loader);
    }

    [Theory]
    [InlineData("cluster.yaml", "", "/")]
    [InlineData("db/vi.yaml", "", "db/")]
    [InlineData("db/deep/vi.yaml", "", "db/")]
    [InlineData("cluster/db/vi.yaml", "cluster", "db/")]
    [InlineData("cluster/vi.yaml", "cluster", "/")]
    public void UnitOf_IsTheTopLevelFolderBelowTheRoot(string path, string root, string unit) => Assert.Equal(unit, UnitIsolation.UnitOf(path, root));

    [Fact]
    public void ABrokenUnit_KeepsItsLastGoodFiles_TheOthersAdvance()
    {
        var isolated = Compose(LastGood[0], ("network/vi.yaml", Instance("vi_net", 51, "198.51.100.101")),
            ("db/vi.yaml", Instance("vi_db", 300, "198.51.100.111")), LastGood[3]);

        Assert.NotNull(isolated);
        var held = Assert.Single(isolated.Held);
        Assert.Equal(("db/", Good), (held.Unit, held.Commit));
        Assert.StartsWith("db/vi.yaml:6:3: error: spec.virtualRouterId:", held.Reason, StringComparison.Ordinal);
        var state = isolated.Load.State!;
        Assert.Equal(["198.51.100.101/24", "198.51.100.110/24"],
            state.VrrpInstances.SelectMany(i => i.Spec.VirtualAddresses).Select(a => a.Address.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(Next, isolated.Revision.Commit);
    }

    [Fact]
    public void AUnitReferringToAHeldOne_IsHeldToo_WithTheReason()
    {
        // network/ tracks db/'s script; db/ is broken, so network/ cannot advance against it.
        var isolated = Compose(LastGood[0],
            ("network/vi.yaml", Instance("vi_net", 51, "198.51.100.101", "  trackScripts:\n    - name: chk_db")),
            ("db/vi.yaml", Instance("vi_db", 300, "198.51.100.111")), LastGood[3],
            ("web/vi.yaml", Instance("vi_web", 53, "198.51.100.120")));

        Assert.NotNull(isolated);
        Assert.Equal(["db/", "network/"], isolated.Held.Select(h => h.Unit));
        Assert.Equal("VrrpInstance 'vi_net' refers to VrrpScript 'chk_db' of unit db/, which is held back", isolated.Held[1].Reason);
        Assert.Equal(["vi_db", "vi_net", "vi_web"], isolated.Load.State!.VrrpInstances.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal("198.51.100.100/24", isolated.Load.State.VrrpInstances.Single(i => i.Name == "vi_net").Spec.VirtualAddresses[0].Address.ToString());
    }

    [Fact]
    public void ABrokenRootUnit_HoldsEveryUnitThatNamesItsNodes_SoTheCommitIsRefusedWhole()
    {
        var brokenCluster = LastGood[0].Item2.Replace("addresses: [198.51.100.11/24]", "addresses: [not-an-address]", StringComparison.Ordinal);
        Assert.Null(Compose(("cluster.yaml", brokenCluster), ("network/vi.yaml", Instance("vi_net", 51, "198.51.100.101")), LastGood[2], LastGood[3]));
    }

    [Fact]
    public void ANewUnitThatIsBroken_RunsNothing()
    {
        var isolated = Compose([.. LastGood, ("lab/vi.yaml", Instance("vi_lab", 300, "198.51.100.130"))]);

        Assert.NotNull(isolated);
        var held = Assert.Single(isolated.Held);
        Assert.Equal(("lab/", (string?)null), (held.Unit, held.Commit));
        Assert.DoesNotContain(isolated.Load.State!.VrrpInstances, i => i.Name == "vi_lab");
    }

    [Fact]
    public void AConflictWithAHeldUnitsOldFiles_HoldsTheUnitThatConflicts()
    {
        // web/ takes VRID 52, which db/'s last good version still uses: web/ cannot advance while db/ is held.
        var isolated = Compose(LastGood[0], LastGood[1], ("db/vi.yaml", Instance("vi_db", 300, "198.51.100.111")), LastGood[3],
            ("web/vi.yaml", Instance("vi_web", 52, "198.51.100.120")));

        Assert.NotNull(isolated);
        Assert.Equal(["db/", "web/"], isolated.Held.Select(h => h.Unit));
    }
}
