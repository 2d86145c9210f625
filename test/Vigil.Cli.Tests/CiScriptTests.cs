using System.Diagnostics;
using Vigil.Demo;
using Vigil.Tests;
using YamlDotNet.RepresentationModel;

namespace Vigil.Cli.Tests;

/// <summary>ci/vigil-plan.sh, as a CI job runs it (with /bin/sh), against a real repository; the pipeline files that call it.</summary>
public sealed class CiScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "ci", "vigil-plan.sh");
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-ci-").FullName;
    private readonly GitRepository _repository;

    public CiScriptTests()
    {
        _repository = new GitRepository(Path.Combine(_work, "cluster"));
        _repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "");
        _repository.Commit("basic");
        // What a CI checkout has: the target branch as a remote-tracking ref.
        _repository.Git("update-ref", "refs/remotes/origin/main", "HEAD");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Script_Changes_ExitZero_PrintsTextAndWritesMarkdown()
    {
        _repository.Edit("vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        _repository.Commit("add a VIP");

        var (exitCode, output) = Run();

        Assert.True(exitCode == 0, output);
        Assert.Contains("+ vip 198.51.100.101/24 on vi_1", output, StringComparison.Ordinal);
        Assert.Contains("vigil-plan.sh: changes planned", output, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(_repository.Path, "vigil-plan.md"));
        Assert.StartsWith("### Vigil plan: `origin/main`", markdown, StringComparison.Ordinal);
        Assert.Contains("#### ka1: 1 change\n\n```diff\n+ vip 198.51.100.101/24 on vi_1\n```", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_FailOnChanges_ExitsTwo()
    {
        _repository.Edit("vi_1.yaml", "priority: 80", "priority: 90");
        _repository.Commit("ka2 to 90");

        var (exitCode, output) = Run(("VIGIL_FAIL_ON_CHANGES", "1"));

        Assert.True(exitCode == 2, output);
        Assert.Contains("~ instance vi_1: priority 80 -> 90", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_InvalidHead_ExitsOne_MarkdownNamesTheFileAndLine()
    {
        _repository.Edit("vi_1.yaml", "virtualRouterId: 51", "virtualRouterId: 300");
        _repository.Commit("out of range");

        var (exitCode, output) = Run();

        Assert.True(exitCode == 1, output);
        var markdown = File.ReadAllText(Path.Combine(_repository.Path, "vigil-plan.md"));
        Assert.Contains("**Invalid**", markdown, StringComparison.Ordinal);
        Assert.Contains("vi_1.yaml:8:", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_NoChanges_ExitsZero()
    {
        var (exitCode, output) = Run();

        Assert.True(exitCode == 0, output);
        Assert.Contains("vigil-plan.sh: no changes", output, StringComparison.Ordinal);
    }

    /// <summary>The pipeline files are YAML that run the script with full history, and keep or post the markdown.</summary>
    [Theory]
    [InlineData("github-actions.yml", "fetch-depth: 0")]
    [InlineData("gitlab-ci.yml", "GIT_DEPTH: 0")]
    public void PipelineFiles_AreYaml_AndRunTheScript(string file, string fullHistory)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "ci", file));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));

        Assert.IsType<YamlMappingNode>(yaml.Documents.Single().RootNode);
        Assert.Contains("sh ci/vigil-plan.sh", text, StringComparison.Ordinal);
        Assert.Contains(fullHistory, text, StringComparison.Ordinal);
        Assert.Contains("vigil-plan.md", text, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output) Run(params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("/bin/sh", [Script]) { WorkingDirectory = _repository.Path };
        start.Environment["VIGIL"] = VigilExecutable.BesideAssembly().File;
        start.Environment["NO_COLOR"] = "1";
        var run = CliRun.Process(start, environment.ToDictionary(e => e.Name, e => e.Value));
        return (run.ExitCode, run.Output + run.Error);
    }
}
