using System.Diagnostics;
using System.Text.Json.Nodes;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

public class RenderCommandTests
{
    private static readonly string[] KeepalivedPaths = ["/usr/sbin/keepalived", "/sbin/keepalived"];

    private static string GoldenDir => Path.Combine(RepoPaths.Root, "test", "Vigil.Cli.Tests", "Golden");

    public static TheoryData<string, string, string> EveryExampleNodeAndFormat()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var example in RepoPaths.ExampleNames())
        {
            foreach (var node in new[] { "ka1", "ka2" })
            {
                data.Add(example, node, "yaml");
                data.Add(example, node, "keepalived");
            }
        }
        return data;
    }

    /// <summary>Golden files (see <see cref="Golden"/>: VIGIL_UPDATE_GOLDEN=1 rewrites them and fails, to be read in review).</summary>
    [Theory]
    [MemberData(nameof(EveryExampleNodeAndFormat))]
    public void Render_EveryExampleNode_MatchesItsGoldenFile(string example, string node, string format)
    {
        var run = CliRun.Of("render", Path.Combine(RepoPaths.Examples, example), "--node", node, "--output", format);
        Assert.Equal(0, run.ExitCode);
        var golden = Path.Combine(GoldenDir, $"{example}.{node}.{(format == "yaml" ? "yaml" : "keepalived.conf")}");
        Golden.AssertMatches(golden, run.Output);
    }

    [Fact]
    public void Render_Json_ShowsEachNodesPriorityAndDerivedPeers()
    {
        var path = Path.Combine(RepoPaths.Examples, "unicast");
        var ka1 = JsonNode.Parse(CliRun.Of("render", path, "-n", "ka1", "-o", "json").Output)!["vrrpInstances"]![0]!;
        var ka2 = JsonNode.Parse(CliRun.Of("render", path, "-n", "ka2", "-o", "json").Output)!["vrrpInstances"]![0]!;
        Assert.Equal((100, 80), (ka1["priority"]!.GetValue<int>(), ka2["priority"]!.GetValue<int>()));
        Assert.Equal("198.51.100.12", ka1["unicastPeers"]![0]!.GetValue<string>());
        Assert.Equal("198.51.100.11", ka2["unicastPeers"]![0]!.GetValue<string>());
        Assert.Equal("100ms", ka2["advertInterval"]!.GetValue<string>());
        Assert.Equal("unicast", ka2["transport"]!.GetValue<string>());
    }

    [Fact]
    public void Render_UnknownNode_IsAUsageError()
    {
        var run = CliRun.Of("render", Path.Combine(RepoPaths.Examples, "basic"), "--node", "ka9");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("vigil: node 'ka9' is not in the Cluster (nodes: ka1, ka2)\n", run.Error);
    }

    [Fact]
    public void Render_InvalidConfig_PrintsTheErrorsAndRendersNothing()
    {
        var run = CliRun.Of("render", Path.Combine(RepoPaths.Root, "test", "Vigil.Source.Tests", "TestData", "broken"), "--node", "ka1");
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains("unknown field 'virtualRouterID'; did you mean 'virtualRouterId'?", run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> EveryExampleNode()
    {
        var data = new TheoryData<string, string>();
        foreach (var example in RepoPaths.ExampleNames())
        {
            data.Add(example, "ka1");
            data.Add(example, "ka2");
        }
        return data;
    }

    /// <summary>Debian's keepalived checks the rendered file with its own parser (-t: exit 0 and silent when the config is good).</summary>
    [Theory]
    [MemberData(nameof(EveryExampleNode))]
    public void RenderedKeepalivedConf_PassesKeepalivedsOwnConfigTest(string example, string node)
    {
        var keepalived = KeepalivedPaths.FirstOrDefault(File.Exists);
        if (keepalived is null)
        {
            Skips.Missing("keepalived is not installed (test/run installs Debian's keepalived)");
        }
        // Without root keepalived disables every script it could not run as its user, and says so: the test needs root.
        Skips.IfMissing(Environment.UserName == "root" ? null : "keepalived -t checks scripts as root (it runs them as their user): run as root");
        var run = CliRun.Of("render", Path.Combine(RepoPaths.Examples, example), "--node", node, "--output", "keepalived");
        var file = Path.Combine(Path.GetTempPath(), $"vigil-{example}-{node}-{Environment.ProcessId}.conf");
        File.WriteAllText(file, run.Output);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(keepalived, ["-t", "-n", "-l", "-f", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.Equal("", output);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
