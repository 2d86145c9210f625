using System.Diagnostics;
using System.Text.Json.Nodes;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

public class RenderCommandTests
{
    private static string GoldenDir => Path.Combine(RepoPaths.Root, "test", "Vigil.Cli.Tests", "Golden");

    /// <summary>A cluster that sets every field the schemas have (<see cref="EveryFeature_SetsEveryFieldOfTheSchemas"/>).</summary>
    private const string EveryFeature = "every-feature";

    private static string EveryFeatureFolder => Path.Combine(RepoPaths.Root, "test", "Vigil.Cli.Tests", "TestData", EveryFeature);

    /// <summary>The examples, and the cluster with every feature.</summary>
    private static IEnumerable<string> Rendered() => [.. RepoPaths.ExampleNames(), EveryFeature];

    private static string FolderOf(string name) => name == EveryFeature ? EveryFeatureFolder : Path.Combine(RepoPaths.Examples, name);

    public static TheoryData<string, string, string> EveryExampleNodeAndFormat()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var example in Rendered())
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
        var run = CliRun.Of("render", FolderOf(example), "--node", node, "--output", format);
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

    [Fact]
    public void Render_AValueKeepalivedCannotRead_IsAnErrorAndRendersNothing()
    {
        var folder = Directory.CreateTempSubdirectory("vigil-render-");
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Examples, "lvs-dr")))
            {
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            }
            var web = Path.Combine(folder.FullName, "web.yaml");
            File.WriteAllText(web, File.ReadAllText(web).Replace("path: /\n", "path: '/a\"b'\n", StringComparison.Ordinal));
            var run = CliRun.Of("render", folder.FullName, "--node", "ka1", "--output", "keepalived");
            Assert.Equal((1, ""), (run.ExitCode, run.Output));
            Assert.Equal("vigil: path '/a\"b' cannot be written for keepalived: its parser reads no double quote or control character in a value\n", run.Error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static TheoryData<string, string> EveryExampleNode()
    {
        var data = new TheoryData<string, string>();
        foreach (var example in Rendered())
        {
            data.Add(example, "ka1");
            data.Add(example, "ka2");
        }
        return data;
    }

    /// <summary>
    /// Debian's keepalived checks the rendered file with its own parser (-t: exit 0 and silent when the config is good),
    /// in a namespace that has the interfaces the clusters name (keepalived -t refuses a missing one).
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryExampleNode))]
    public void RenderedKeepalivedConf_PassesKeepalivedsOwnConfigTest(string example, string node)
    {
        using var check = new KeepalivedConfigTest();
        var run = CliRun.Of("render", FolderOf(example), "--node", node, "--output", "keepalived");
        Assert.Equal(0, run.ExitCode);
        var file = Path.Combine(check.Folder, $"{example}-{node}.conf");
        File.WriteAllText(file, run.Output);
        Assert.Equal((0, ""), check.Run(file, node));
    }

    [Fact]
    public void RenderedScripts_RunAsTheConfiguredUsers()
    {
        var conf = CliRun.Of("render", EveryFeatureFolder, "--node", "ka1", "--output", "keepalived").Output;
        Assert.Contains("    script_user nobody nogroup\n", conf, StringComparison.Ordinal);
        Assert.Contains("    notify_master \"/usr/bin/logger -t notify 'MASTER web'\" nobody nogroup\n", conf, StringComparison.Ordinal);
        Assert.Contains("    quorum_up \"/usr/bin/logger -t quorum up\" nobody nogroup\n", conf, StringComparison.Ordinal);
        Assert.Contains("            misc_path \"/usr/bin/logger -t check 'web 24'\"\n            misc_timeout 4\n            misc_dynamic\n            user nobody\n", conf, StringComparison.Ordinal);
        Assert.Contains("    script \"/usr/bin/test -e '/run/service ready#1'\"\n", conf, StringComparison.Ordinal);
        Assert.DoesNotContain(KeepalivedConfigTest.ScriptsAsRoot(conf).Split('\n'), KeepalivedConfigTest.ScriptUsers().IsMatch);
    }

    /// <summary>
    /// "Every feature the schema has": each field any schema defines is set in a cluster whose render keepalived checks
    /// (mostly the every-feature one; a field whose alternative it sets, such as a password from env, in an example).
    /// </summary>
    [Fact]
    public void EveryFeature_SetsEveryFieldOfTheSchemas()
    {
        // healthChecks[] items are healthCheck's own schema: a field set in either is set for both (each is set once).
        // Policy parameters are free-form (names are the repository's): any one set sets the field.
        static string Check(string field) => field.StartsWith("Policy.spec.parameters.", StringComparison.Ordinal) ? "Policy.spec.parameters"
            : field.Replace(".healthChecks[].", ".healthCheck.", StringComparison.Ordinal);
        var schemaFields = SchemaFields.Leaves(RepoPaths.Schemas).Select(Check).ToHashSet(StringComparer.Ordinal);
        var setFields = Rendered().SelectMany(name => SchemaFields.SetIn(FolderOf(name))).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(setFields, f => f.Contains(".healthChecks[].", StringComparison.Ordinal));
        setFields = [.. setFields.Select(Check)];
        Assert.Contains("VirtualServer.spec.realServers[].healthCheck.misc.dynamicWeight", schemaFields);
        var missing = schemaFields.Except(setFields).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "no rendered cluster sets " + string.Join(", ", missing));
    }
}
