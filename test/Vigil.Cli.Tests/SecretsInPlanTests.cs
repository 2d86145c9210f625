using Vigil.Core.Secrets;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

/// <summary>
/// `vigil plan` output is posted as a pull-request comment: a VRRP password and a webhook URL's token must never be in
/// it, in any format, whether they are added, changed or only carried along; that they changed is said.
/// </summary>
public sealed class SecretsInPlanTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-secrets-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static readonly string[] Planted = ["s3cr3t", "n3wpass", "t0ken-user", "t0ken-pass", "q-t0ken", "n3w-t0ken"];

    [Theory]
    [InlineData("text")]
    [InlineData("markdown")]
    [InlineData("json")]
    public void Plan_ChangingThePasswordAndTheWebhookToken_ShowsThatTheyChanged_NeverWhatTheyAre(string format)
    {
        var repository = new GitRepository(Path.Combine(_work, format));
        repository.CopyIn(Path.Combine(RepoPaths.Examples, "basic"), "cluster");
        repository.Edit("cluster/cluster.yaml", "  defaults:", "  notification:\n    webhook:\n      url: https://t0ken-user:t0ken-pass@hooks.example.org/vigil?key=q-t0ken\n  defaults:");
        repository.Commit("basic with a webhook");
        repository.Edit("cluster/vi_1.yaml", "password: s3cr3t", "password: n3wpass");
        repository.Edit("cluster/cluster.yaml", "?key=q-t0ken", "?key=n3w-t0ken");
        repository.Commit("rotate the password and the webhook token");

        var changed = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--head", "HEAD", "--path", "cluster", "--output", format);
        var added = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~2", "--head", "HEAD", "--path", "cluster", "--output", format);

        Assert.True(changed.ExitCode == 2, changed.Output + changed.Error);
        foreach (var output in new[] { changed.Output + changed.Error, added.Output + added.Error })
        {
            Assert.All(Planted, secret => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
        }
        Assert.Contains("authentication.password", changed.Output, StringComparison.Ordinal);
        Assert.Contains(Redaction.Changed, changed.Output, StringComparison.Ordinal);
        Assert.Contains("https://hooks.example.org/vigil (credentials hidden)", changed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:pass@git.example.org/cluster.git", "https://git.example.org/cluster.git (credentials hidden)")]
    [InlineData("https://t0ken@git.example.org/cluster.git", "https://git.example.org/cluster.git (credentials hidden)")]
    [InlineData("https://hooks.example.org/vigil?token=abc", "https://hooks.example.org/vigil (query hidden)")]
    [InlineData("https://git.example.org/cluster.git", "https://git.example.org/cluster.git")]
    [InlineData("ssh://git@git.example.org/ops/cluster.git", "ssh://git@git.example.org/ops/cluster.git")]
    [InlineData("ssh://git:pass@git.example.org/ops/cluster.git", "ssh://git.example.org/ops/cluster.git (credentials hidden)")]
    [InlineData("/srv/cluster.git", "/srv/cluster.git")]
    [InlineData("git@git.example.org:ops/cluster.git", "git@git.example.org:ops/cluster.git")]
    public void Url_IsShownWithoutUserinfoOrQuery(string url, string shown) => Assert.Equal(shown, Redaction.Url(url));

    [Fact]
    public void UrlsInAMessage_AreShownWithoutCredentials() =>
        Assert.Equal("fetch https://git.example.org/c.git (credentials hidden): 401", Redaction.UrlsIn("fetch https://u:p@git.example.org/c.git: 401"));
}
