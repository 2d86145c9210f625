using Vigil.Import.KeepalivedConf;

namespace Vigil.Cli.Tests;

/// <summary>
/// issue 17's round trip, for each of the test configurations (test/Vigil.Import.Tests/Configs): vigil import, vigil
/// validate, vigil render --output keepalived per node; then keepalived -t accepts the rendered file whenever it accepts
/// the original, and what the two mean to keepalived (<see cref="KeepalivedMeaning"/>) differs only where IMPORT.md says.
/// </summary>
public sealed class ImportRoundTripTests : IDisposable
{
    private static string Configs => Path.Combine(RepoPaths.Root, "test", "Vigil.Import.Tests", "Configs");

    private readonly string _out = Directory.CreateTempSubdirectory("vigil-import-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    /// <summary>The node files of a scenario: one per node, or (includes) one file both nodes read with their own @lines.</summary>
    private static List<(string Node, string File)> Nodes(string scenario) => scenario == "includes"
        ? [("ka1", Path.Combine(Configs, scenario, "keepalived.conf")), ("ka2", Path.Combine(Configs, scenario, "keepalived.conf"))]
        : [.. Directory.GetFiles(Path.Combine(Configs, scenario), "*.conf").Order(StringComparer.Ordinal).Select(f => (Path.GetFileNameWithoutExtension(f), f))];

    /// <summary>
    /// Per scenario: the exit code, every difference between what the original and the rendered file mean, and for
    /// each the IMPORT.md line that says so ("FILE:LINE` **KEYWORD**", the file relative to Configs).
    /// </summary>
    private static readonly Dictionary<string, (int Exit, string[] Differences, string[] Reported)> Expected = new()
    {
        ["single"] = (0, [], []),
        ["includes"] = (0, [], []),
        ["dual-master"] = (0, [], ["dual-master/ka1.conf:35` **advert_int**", "dual-master/ka1.conf:55` **advert_int**"]),
        ["sync-group"] = (0, [], ["sync-group/ka1.conf:40` **trackScripts**"]),
        ["pair"] = (2,
        [
            "ka2 - global: smtp 203.0.113.25 port 25 from ka2@example.org timeout 30",
            "ka2 + global: smtp 203.0.113.25 port 25 from ka1@example.org timeout 30",
        ], ["pair/ka2.conf:6` **notification.email.from**"]),
        // keepalived's "any 2xx" (a url without status_code) is written out as statusCodes: 200-299.
        ["lvs"] = (0, [], ["lvs/ka1.conf:73`, `", "lvs/ka2.conf:73` **status_code**"]),
        ["lvs-group"] = (0, [], []),
        ["unsupported"] = (2, [],
        [
            "unsupported/ka1.conf:32` **status_code**",
            "unsupported/ka1.conf:5` **linkbeat_use_polling**", "unsupported/ka1.conf:23` **protocol**",
        ]),
    };

    /// <summary>What keepalived -t says of the originals that lean on its corrections (or on what Vigil lacks).</summary>
    private static readonly Dictionary<string, string> NotClean = new()
    {
        ["dual-master"] = "VRRPv2 advertisement interval 0.500000s must be an integer. rounding",
        ["sync-group"] = "ignoring tracked script chk_uplink with weights due to SYNC group",
        ["unsupported"] = "no protocol set - defaulting to UDP",
    };

    public static TheoryData<string> Scenarios() => [.. Expected.Keys];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Import_Validates_AndRendersWhatTheOriginalMeans(string scenario)
    {
        var nodes = Nodes(scenario);
        var import = CliRun.Of(["import", .. nodes.Select(n => $"{n.Node}={n.File}"), "--out", _out]);
        Assert.True(import.ExitCode == Expected[scenario].Exit, $"exit {import.ExitCode}\n{import.Output}{import.Error}");
        var validate = CliRun.Of("validate", _out);
        Assert.True(validate.ExitCode == 0, validate.Output + validate.Error);
        var differences = new List<string>();
        foreach (var (node, file) in nodes)
        {
            var render = CliRun.Of("render", _out, "--node", node, "--output", "keepalived");
            Assert.Equal(0, render.ExitCode);
            var rendered = Path.Combine(_out, $"{node}.rendered.conf");
            File.WriteAllText(rendered, render.Output);
            var before = KeepalivedMeaning.Of(ConfParser.Parse(new DiskConfFiles(), file, node));
            var after = KeepalivedMeaning.Of(ConfParser.Parse(new DiskConfFiles(), rendered, node));
            differences.AddRange(before.Except(after).Select(f => $"{node} - {f}"));
            differences.AddRange(after.Except(before).Select(f => $"{node} + {f}"));
        }
        Assert.True(Expected[scenario].Differences.SequenceEqual(differences), "the differences are:\n" + string.Join("\n", differences));
        var report = File.ReadAllText(Path.Combine(_out, "IMPORT.md")).Replace(Configs + "/", "", StringComparison.Ordinal);
        Assert.All(Expected[scenario].Reported, line => Assert.Contains(line, report, StringComparison.Ordinal));
        Assert.Equal(Expected[scenario].Exit == 0, report.Contains("Everything was carried over", StringComparison.Ordinal));
    }

    /// <summary>(a) of the round trip: Debian's keepalived -t accepts the rendered file whenever it accepts the original.</summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void KeepalivedAcceptsTheRenderedFile_WhereItAcceptsTheOriginal(string scenario)
    {
        using var check = new KeepalivedConfigTest();
        var nodes = Nodes(scenario);
        Assert.Equal(Expected[scenario].Exit, CliRun.Of(["import", .. nodes.Select(n => $"{n.Node}={n.File}"), "--out", _out]).ExitCode);
        CopyFolder(Path.Combine(Configs, scenario), Path.Combine(check.Folder, "original"));
        foreach (var (node, file) in nodes)
        {
            var original = check.Run(Path.Combine(check.Folder, "original", Path.GetFileName(file)), node);
            var rendered = Path.Combine(check.Folder, $"{node}.rendered.conf");
            File.WriteAllText(rendered, CliRun.Of("render", _out, "--node", node, "--output", "keepalived").Output);
            var result = check.Run(rendered, node);
            // Some originals are written to need keepalived's own corrections (which the import must make too): keepalived
            // says so. Every rendered file is clean.
            var corrected = NotClean.GetValueOrDefault(scenario);
            Assert.True(corrected is null ? original == (0, "") : original.ExitCode != 0 && original.Output.Contains(corrected, StringComparison.Ordinal),
                $"{scenario} {node}: the original: {original}");
            Assert.True(result == (0, ""), $"{scenario} {node}: the rendered file: {result}");
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
