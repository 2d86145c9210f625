using System.Diagnostics;

namespace Vigil.Cli.Tests;

/// <summary>
/// Commands run as the published vigil (VIGIL_EXECUTABLE: the NativeAOT binary test/run publishes) rather than in this
/// test process: what reflection, trimming or native interop could break there. Under NativeAOT LibGit2Sharp's calls
/// that fill a libgit2 buffer came back empty: a signed head looked unsigned, no repository was found from a folder,
/// the global git configuration was not read and a revert commit had no message; each git case here failed that way
/// before Vigil made those calls itself. The rest bind every field of the schemas (NJsonSchema and Newtonsoft.Json
/// by reflection) and print them.
/// </summary>
public sealed class ShippedBinaryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-shipped-").FullName;
    private readonly SigningKeys _keys = new();

    public void Dispose()
    {
        _keys.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    public static TheoryData<string, string> EveryExampleAndFormat()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in RepoPaths.ExampleNames().Select(name => Path.Combine(RepoPaths.Examples, name)).Append(EveryFeature))
        {
            foreach (var format in new[] { "yaml", "json", "keepalived" })
            {
                data.Add(folder, format);
            }
        }
        return data;
    }

    private static string EveryFeature => Path.Combine(RepoPaths.Root, "test", "Vigil.Cli.Tests", "TestData", "every-feature");

    [Theory]
    [MemberData(nameof(EveryExampleAndFormat))]
    public void Render_PrintsWhatTheBuildPrints(string folder, string format)
    {
        var shipped = Vigil(RepoPaths.Root, [], "render", folder, "--node", "ka1", "--output", format);
        var built = CliRun.Of("render", folder, "--node", "ka1", "--output", format);

        Assert.Equal((0, ""), (shipped.ExitCode, shipped.Error));
        Assert.Equal(built.Output, shipped.Output);
    }

    [Fact]
    public void Validate_NamesTheFileLineAndField_AsTheBuildDoes()
    {
        var broken = Path.Combine(RepoPaths.Root, "test", "Vigil.Source.Tests", "TestData", "broken");
        var shipped = Vigil(RepoPaths.Root, [], "validate", broken);
        var built = CliRun.Of("validate", broken);

        Assert.Equal(1, shipped.ExitCode);
        Assert.Equal((built.ExitCode, built.Output, built.Error), (shipped.ExitCode, shipped.Output, shipped.Error));
    }

    [Fact]
    public void Plan_FromASubfolder_SaysWhoSignedTheHead()
    {
        var repository = Repository();
        repository.Git("add", "-A");
        repository.Git([.. _keys.Signing("ssh", "ops"), "commit", "-q", "-S", "-m", "add .101"]);

        var run = Vigil(repository.PathOf("cluster"), [], "plan", "--base", "HEAD~1", "--path", "cluster",
            "--verify-commits", "head", "--trusted-keys", _keys.Trusted);

        Assert.Equal(2, run.ExitCode); // a plan with changes
        Assert.Contains("is signed by ops@example.org (SSH)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_TakesTheAuthorFromTheGlobalConfig_AndGitsMessage()
    {
        var repository = Repository();
        var bad = repository.Commit("add .101");
        repository.Git("config", "--unset", "user.name");
        repository.Git("config", "--unset", "user.email");
        var home = Directory.CreateDirectory(Path.Combine(_work, "home")).FullName;
        File.WriteAllText(Path.Combine(home, ".gitconfig"), "[user]\n\tname = Global Operator\n\temail = global@example.org\n");

        var run = Vigil(repository.Path, new() { ["HOME"] = home }, "rollback", "--to", "HEAD~1");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal($"Global Operator <global@example.org>\nRevert \"add .101\"\n\nThis reverts commit {bad}.",
            repository.Git("log", "-1", "--format=%an <%ae>%n%B"));
        Assert.Equal("", repository.Git("status", "--porcelain"));
    }

    /// <summary>examples/basic committed in cluster/, and a change to it left in the work tree.</summary>
    private GitRepository Repository()
    {
        var repository = new GitRepository(Path.Combine(_work, "repo"));
        repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "cluster");
        repository.Commit("basic");
        repository.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        return repository;
    }

    private static CliRun Vigil(string directory, Dictionary<string, string> environment, params string[] arguments)
    {
        var published = Environment.GetEnvironmentVariable("VIGIL_EXECUTABLE");
        if (published is not { Length: > 0 } || !File.Exists(published))
        {
            Skips.Missing("VIGIL_EXECUTABLE does not name a published vigil (test/run publishes one)");
        }
        return CliRun.Process(new ProcessStartInfo(published!, arguments) { WorkingDirectory = directory }, environment);
    }
}
