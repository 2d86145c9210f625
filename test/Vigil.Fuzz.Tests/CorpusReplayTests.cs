using Vigil.Fuzz.Targets;

namespace Vigil.Fuzz.Tests;

/// <summary>
/// Every input the fuzzers kept (their corpus) and every one that once crashed a target (its crashes, each a
/// regression) runs through the target again: each must be answered without an exception escaping.
/// </summary>
public sealed class CorpusReplayTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryKeptInput_IsAnswered_WithoutAnException(string name)
    {
        var target = FuzzTargets.Create(name)!;
        var folder = Path.Combine(AppContext.BaseDirectory, "fuzz", name);
        var inputs = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
        Assert.True(inputs.Count > 0, $"no corpus for {name} under test/fuzz/{name}");
        var escaped = FuzzTargets.Replay(target, inputs).Select(f => $"{Path.GetRelativePath(folder, f.File)}: {f.Escaped.GetType().Name}: {f.Escaped.Message}").ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {inputs.Count} inputs replayed");
        Assert.True(escaped.Count == 0, string.Join('\n', escaped));
    }
}
