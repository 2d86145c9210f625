using System.Text.Json.Nodes;

namespace Vigil.Cli.Tests;

/// <summary>`vigil import` as a command: its arguments, its folder, its exit codes and its JSON.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private static string Configs => Path.Combine(RepoPaths.Root, "test", "Vigil.Import.Tests", "Configs");

    private readonly string _work = Directory.CreateTempSubdirectory("vigil-import-cli-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("ka1", "vigil: 'ka1' is not NODE=FILE (ka1=/etc/keepalived/keepalived.conf)\n")]
    [InlineData("=x.conf", "vigil: '=x.conf' is not NODE=FILE (ka1=/etc/keepalived/keepalived.conf)\n")]
    public void ABadPair_IsAUsageError(string pair, string error)
    {
        var run = CliRun.Of("import", pair, "--out", Path.Combine(_work, "out"));
        Assert.Equal((2, error), (run.ExitCode, run.Error));
        Assert.False(Directory.Exists(Path.Combine(_work, "out")));
    }

    [Fact]
    public void ANodeGivenTwice_IsAUsageError()
    {
        var run = CliRun.Of("import", $"ka1={Configs}/pair/ka1.conf", $"ka1={Configs}/pair/ka2.conf", "--out", Path.Combine(_work, "out"));
        Assert.Equal((2, "vigil: node ka1 is given 2 files: one keepalived.conf per node\n"), (run.ExitCode, run.Error));
    }

    [Fact]
    public void AFolderVigilRefuses_NeedsAttention_WithEachErrorsFileAndLine()
    {
        // Two instances on one VRID and interface, with a name in both files: keepalived's own conflict, Vigil's rule.
        var conf = Path.Combine(_work, "ka1.conf");
        File.WriteAllText(conf, "vrrp_instance A {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 198.51.100.100/24\n }\n}\n"
            + "vrrp_instance B {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 198.51.100.101/24\n }\n}\n");
        var run = CliRun.Of("import", $"ka1={conf}", "--out", Path.Combine(_work, "out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("vrrp-instances.yaml:", run.Output, StringComparison.Ordinal);
        Assert.Contains("[vrid-unique]", run.Output, StringComparison.Ordinal);
        Assert.Contains(": invalid (", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadAddress_IsAUsageError()
    {
        var run = CliRun.Of("import", $"ka1={Configs}/single/ka1.conf", "--address", "ka1=eth0", "--out", Path.Combine(_work, "out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("vigil: --address 'ka1=eth0' is not NODE:IFACE=ADDR/LEN (ka1:eth0=198.51.100.11/24)\n", run.Error);
    }

    [Fact]
    public void AFolderWithFiles_NeedsForce()
    {
        var out_ = Path.Combine(_work, "out");
        Directory.CreateDirectory(out_);
        File.WriteAllText(Path.Combine(out_, "notes.txt"), "mine");
        var refused = CliRun.Of("import", $"ka1={Configs}/single/ka1.conf", "--out", out_);
        Assert.Equal((1, $"vigil: {out_} has files: give another --out, or --force to write into it\n"), (refused.ExitCode, refused.Error));
        var forced = CliRun.Of("import", $"ka1={Configs}/single/ka1.conf", "--out", out_, "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(out_, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(out_, "vrrp-instances.yaml")));
    }

    [Fact]
    public void Force_RemovesWhatAnEarlierImportWrote_AndNothingElse()
    {
        var out_ = Path.Combine(_work, "out");
        Assert.Equal(0, CliRun.Of("import", $"ka1={Configs}/lvs/ka1.conf", $"ka2={Configs}/lvs/ka2.conf", "--out", out_).ExitCode);
        Assert.True(File.Exists(Path.Combine(out_, "virtual-servers", "fwmark-53.yaml")));
        File.WriteAllText(Path.Combine(out_, "mine.yaml"), "# the team's own\n");
        var again = CliRun.Of("import", $"ka1={Configs}/single/ka1.conf", "--out", out_, "--force");
        Assert.Equal(0, again.ExitCode);
        Assert.False(File.Exists(Path.Combine(out_, "virtual-servers", "fwmark-53.yaml")));
        Assert.Contains("vigil: removed virtual-servers/fwmark-53.yaml: an earlier import wrote it, and this one has nothing for it\n", again.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(out_, "mine.yaml")));
    }

    [Fact]
    public void AFileThatCannotBeRead_IsAnError_AndNothingIsWritten()
    {
        var out_ = Path.Combine(_work, "out");
        var run = CliRun.Of("import", $"ka1={Path.Combine(_work, "missing.conf")}", "--out", out_);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"vigil: {Path.Combine(_work, "missing.conf")}: cannot read node ka1's file: ", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("vigil: nothing was written\n", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(out_));
    }

    [Fact]
    public void Json_ListsFilesAndFindings_WithWhereEachCameFrom()
    {
        var run = CliRun.Of("import", $"ka1={Configs}/unsupported/ka1.conf", "--out", Path.Combine(_work, "out"), "--output", "json");
        Assert.Equal(2, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.True(json["written"]!.GetValue<bool>());
        Assert.Contains("IMPORT.md", json["files"]!.AsArray().Select(f => f!.GetValue<string>()));
        var polling = json["findings"]!.AsArray().Single(f => f!["keyword"]!.GetValue<string>() == "linkbeat_use_polling")!;
        Assert.Equal(("NotImported", true), (polling["kind"]!.GetValue<string>(), polling["needsAttention"]!.GetValue<bool>()));
        Assert.Equal($"{Configs}/unsupported/ka1.conf:5", polling["at"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Help_SaysTheExitCodes()
    {
        var run = CliRun.Of("import", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Exit codes: 0 everything was carried over, 2 something needs attention (IMPORT.md says what), 1 error (nothing written).", run.Output, StringComparison.Ordinal);
    }
}
