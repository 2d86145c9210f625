using System.Text.Json.Nodes;

namespace Vigil.Cli.Tests;

/// <summary>
/// `vigil plan --verify-commits` in CI refuses what a verifying agent would refuse: a head commit that is unsigned or
/// signed by a key not in the trusted folder gets no plan and exit 1; a head signed by a trusted key plans as usual.
/// </summary>
public sealed class PlanVerifyCommitsTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-plan-verify-").FullName;
    private readonly SigningKeys _keys = new();

    public void Dispose()
    {
        _keys.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Theory]
    [InlineData("ssh", "ops", null)]
    [InlineData("openpgp", "ops", null)]
    [InlineData("ssh", "stranger", "signed by an SSH key not in the trusted keys")]
    [InlineData("openpgp", "stranger", "signed by an OpenPGP key not in the trusted keys")]
    [InlineData(null, null, "is not signed")]
    public void Plan_HeadMustBeSignedByATrustedKey(string? format, string? signer, string? refusal)
    {
        var repository = new GitRepository(Path.Combine(_work, "repo"));
        repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "cluster");
        repository.Commit("basic");
        repository.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        repository.Git("add", "-A");
        repository.Git(format is null ? ["commit", "-q", "-m", "add .101"] : [.. _keys.Signing(format, signer!), "commit", "-q", "-S", "-m", "add .101"]);

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster", "--output", "json",
            "--verify-commits", "head", "--trusted-keys", _keys.Trusted);

        var head = JsonNode.Parse(run.Output)!["head"]!;
        if (refusal is null)
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Null((string?)head["untrusted"]);
            Assert.Contains(format == "ssh" ? $"{signer}@example.org (SSH)" : "(OpenPGP ", (string?)head["signedBy"], StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, run.ExitCode);
            Assert.Contains(refusal, (string?)head["untrusted"], StringComparison.Ordinal);
            Assert.Null(JsonNode.Parse(run.Output)!["nodes"]);
        }
    }

    [Fact]
    public void Plan_VerifyCommits_NeedsTrustedKeys() =>
        Assert.Contains("--verify-commits needs --base and --trusted-keys", CliRun.Of("plan", "--base", "HEAD", "--verify-commits", "head").Error, StringComparison.Ordinal);
}
