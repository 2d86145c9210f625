using Vigil.Tests;

namespace Vigil.Source.Tests;

public class ExamplesTests
{
    public static TheoryData<string> Examples() => [.. RepoPaths.ExampleNames()];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_IsValid_WithoutWarnings(string example)
    {
        var result = Loading.Folder(Path.Combine(RepoPaths.Examples, example));
        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.State);
        Assert.Equal(["ka1", "ka2"], result.State.ClusterSpec.Nodes.Select(n => n.Name));
        Assert.NotEmpty(result.State.VrrpInstances);
    }

    [Fact]
    public void TheExpectedScenarios_AreAllThere() =>
        Assert.Superset(
            new HashSet<string> { "basic", "preempt-delay", "unicast", "notify-email", "lvs-dr", "dual-master", "mariadb-dual-master", "haproxy-track" },
            RepoPaths.ExampleNames().ToHashSet());
}
