using System.Text.Json.Nodes;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

public class ValidateCommandTests
{
    private static string Broken => Path.Combine(RepoPaths.Root, "test", "Vigil.Source.Tests", "TestData", "broken");

    public static TheoryData<string> Examples() => [.. RepoPaths.ExampleNames()];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_IsValid_ExitZero(string example)
    {
        var path = Path.Combine(RepoPaths.Examples, example);
        var run = CliRun.Of("validate", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}: valid \\(\\d+ files?, \\d+ documents?, 0 errors, 0 warnings\\)\n$", run.Output);
    }

    [Fact]
    public void BrokenFolder_ExitOne_OneLinePerDefectThenASummary()
    {
        var run = CliRun.Of("validate", Broken);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(14, lines.Length);
        Assert.All(lines[..^1], l => Assert.Matches(@"^.+\.yaml:\d+:\d+: error: .+ \[[a-z-]+\]$", l));
        Assert.EndsWith(": invalid (5 files, 14 documents, 13 errors, 0 warnings)", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void JsonOutput_CarriesEveryFindingWithItsPlace()
    {
        var run = CliRun.Of("validate", Broken, "--output", "json");
        Assert.Equal(1, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.False(json["valid"]!.GetValue<bool>());
        Assert.Equal(13, json["errors"]!.GetValue<int>());
        var first = json["diagnostics"]![0]!;
        Assert.Equal("error", first["severity"]!.GetValue<string>());
        Assert.EndsWith("instances.yaml", first["file"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((19, 3), (first["line"]!.GetValue<int>(), first["column"]!.GetValue<int>()));
        Assert.Equal("spec.virtualRouterID", first["field"]!.GetValue<string>());
        Assert.Equal("unknown field 'virtualRouterID'; did you mean 'virtualRouterId'?", first["message"]!.GetValue<string>());
    }

    [Fact]
    public void MissingPath_IsAUsageError_ExitTwo()
    {
        var run = CliRun.Of("validate", "/nonexistent/vigil-config");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("vigil: /nonexistent/vigil-config: no such file or folder\n", run.Error);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("validate", "--bogus")]
    [InlineData("validate", "--output", "xml")]
    [InlineData("frobnicate")]
    [InlineData("render", ".")]
    public void BadCommandLine_ExitTwo_WithAHint(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith("Try 'vigil --help'.\n", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("validate", "--help")]
    [InlineData("render", "--help")]
    public void Help_DocumentsTheExitCodes(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Exit codes: 0 success (valid), 1 invalid configuration or failure, 2 usage error.", run.Output, StringComparison.Ordinal);
    }
}
