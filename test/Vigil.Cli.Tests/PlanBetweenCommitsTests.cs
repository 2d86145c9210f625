using System.Text.Json.Nodes;
using Vigil.Tests;

namespace Vigil.Cli.Tests;

/// <summary>
/// `vigil plan --base --head` on real repositories made with the git command line: each example as the base commit and
/// a change an operator would propose as the head, in text, markdown and JSON against golden files; exit codes.
/// </summary>
public sealed class PlanBetweenCommitsTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-plan-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string GoldenDir => Path.Combine(RepoPaths.Root, "test", "Vigil.Cli.Tests", "Golden", "plan");

    /// <summary>The pull request proposed on each example: (file, text, replacement).</summary>
    private static readonly Dictionary<string, (string File, string From, string To)[]> Proposals = new()
    {
        ["basic"] = [("vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24")],
        ["dual-master"] = [
            ("instances.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24"),
            ("instances.yaml", "      priority: 100\n  virtualAddresses:\n    - address: 198.51.100.101/24", "      priority: 100\n  virtualAddresses:\n    - address: 198.51.100.102/24"),
        ],
        ["haproxy-track"] = [("haproxy.yaml", "weight: -30", "weight: -50"), ("haproxy.yaml", "fall: 2", "fall: 3")],
        ["lvs-dr"] = [
            ("web.yaml", "    - address: 198.51.100.22\n      port: 80\n", "    - address: 198.51.100.22\n      port: 80\n      weight: 3\n"),
            ("web.yaml", "        tcp: {}\n        connectTimeout: 3s", "        tcp: {}\n        connectTimeout: 3s\n    - address: 198.51.100.23\n      port: 80"),
        ],
        ["mariadb-dual-master"] = [
            ("db.yaml", "    - address: 203.0.113.22\n      healthCheck:\n        tcp: {}\n        connectTimeout: 2s\n        retry: 2\n        delayBeforeRetry: 1s\n", ""),
            ("db.yaml", "delayLoop: 2s", "delayLoop: 5s"),
        ],
        ["notify-email"] = [("vi_1.yaml", "      priority: 80", "      priority: 120")],
        ["preempt-delay"] = [("vi_1.yaml", "preemptDelay: 5s", "preemptDelay: 10s")],
        ["team-folders"] = [("apps/web.yaml", "statusCode: 200\n        connectTimeout: 3s\n    - address: 198.51.100.22", "statusCode: 200\n        connectTimeout: 2s\n    - address: 198.51.100.22")],
        ["strict-router"] = [("gateway.yaml", "  virtualRouterId: 61\n  accept: true", "  virtualRouterId: 61\n  accept: false")],
        ["unicast"] = [
            ("cluster.yaml", "          addresses: [198.51.100.12/24]", "          addresses: [198.51.100.12/24]\n    - name: ka3\n      interfaces:\n        - name: eth0\n          addresses: [198.51.100.13/24]"),
            ("vi_1.yaml", "      priority: 80", "      priority: 80\n    - node: ka3\n      priority: 60"),
        ],
    };

    public static TheoryData<string, string> EveryExampleAndFormat()
    {
        var data = new TheoryData<string, string>();
        foreach (var example in RepoPaths.ExampleNames())
        {
            foreach (var format in new[] { "text", "markdown", "json" })
            {
                data.Add(example, format);
            }
        }
        return data;
    }

    /// <summary>Golden files (see <see cref="Golden"/>: VIGIL_UPDATE_GOLDEN=1 rewrites them and fails, to be read in review).</summary>
    [Theory]
    [MemberData(nameof(EveryExampleAndFormat))]
    public void Plan_EachExampleAndAProposedChange_MatchesItsGoldenFile(string example, string format)
    {
        Assert.True(Proposals.TryGetValue(example, out var proposal), $"examples/{example} has no proposed change in {nameof(Proposals)}: add one");
        var repository = Repository(example);
        foreach (var (file, from, to) in proposal)
        {
            repository.Edit($"cluster/{file}", from, to);
        }
        repository.Commit($"{example}: proposed change");

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--head", "HEAD", "--path", "cluster", "--output", format);

        Assert.True(run.ExitCode == 2, run.Output + run.Error);
        var golden = Path.Combine(GoldenDir, $"{example}.{(format == "markdown" ? "md" : format == "json" ? "json" : "txt")}");
        Golden.AssertMatches(golden, run.Output);
    }

    [Fact]
    public void Plan_NoChange_ExitsZero_AndSaysSo()
    {
        var repository = Repository("basic");
        repository.Commit("only a comment", allowEmpty: true);

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("node ka1: no changes", run.Output, StringComparison.Ordinal);
        Assert.Contains("No changes on 2 node(s).", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_InvalidHead_ExitsOne_NamingFileLineAndField()
    {
        var repository = Repository("basic");
        repository.Edit("cluster/vi_1.yaml", "virtualRouterId: 51", "virtualRouterId: 300");
        repository.Commit("a VRID out of range");

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.False((bool)json["validation"]!["valid"]!);
        var diagnostic = json["validation"]!["diagnostics"]![0]!;
        Assert.Equal("cluster/vi_1.yaml", (string?)diagnostic["file"]);
        Assert.Equal(8, (int)diagnostic["line"]!); // examples/basic/vi_1.yaml: "  virtualRouterId: 51"
        Assert.Contains("virtualRouterId", (string?)diagnostic["field"], StringComparison.Ordinal);
        Assert.Null(json["nodes"]);
    }

    [Fact]
    public void Plan_HeadAPolicyRefuses_ExitsOne_AtTheClaimingField_WithFoldersBelowPath()
    {
        var repository = Repository("team-folders");
        // The application team's folder claims a VIP of its own: the network team's to give.
        repository.Write("cluster/apps/vi_mine.yaml", File.ReadAllText(Path.Combine(RepoPaths.Examples, "team-folders", "network", "vi_web.yaml"))
            .Replace("vi_web", "vi_mine", StringComparison.Ordinal).Replace("virtualRouterId: 51", "virtualRouterId: 52", StringComparison.Ordinal)
            .Replace("198.51.100.100/24", "198.51.100.101/24", StringComparison.Ordinal));
        repository.Commit("apps: a VIP of our own");

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var diagnostic = Assert.Single(JsonNode.Parse(run.Output)!["validation"]!["diagnostics"]!.AsArray())!;
        Assert.Equal(("cluster/apps/vi_mine.yaml", "ownership", "kind"), ((string?)diagnostic["file"], (string?)diagnostic["rule"], (string?)diagnostic["field"]));
        Assert.Equal("folder apps/ (team applications) may define VirtualServer, not VrrpInstance", (string?)diagnostic["message"]);
    }

    [Fact]
    public void Plan_FaultIsolation_ShowsTheHeldUnit_AndPlansTheRest_ButFailsTheHead()
    {
        var repository = Repository("team-folders");
        repository.Edit("cluster/apps/web.yaml", "  port: 80\n", "  port: 8080\n"); // breaks the policy's web-ports rule
        repository.Edit("cluster/network/vi_web.yaml", "preemptDelay: 30s", "preemptDelay: 20s");
        repository.Commit("apps on 8080; a shorter preempt delay");

        var json = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster", "--output", "json");
        var text = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster");

        Assert.Equal((1, 1), (json.ExitCode, text.ExitCode));
        var plan = JsonNode.Parse(json.Output)!;
        var held = Assert.Single(plan["heldUnits"]!.AsArray())!;
        Assert.Equal("apps/", (string?)held["unit"]);
        Assert.Equal(repository.Git("rev-parse", "HEAD~1"), (string?)held["commit"]);
        Assert.Contains("[policy ownership/web-ports]", (string?)held["reason"], StringComparison.Ordinal);
        var changes = plan["nodes"]!.AsArray().SelectMany(n => n!["changes"]!.AsArray()).Select(c => (string)c!["text"]!).ToList();
        Assert.Contains(changes, c => c.Contains("preemptDelay", StringComparison.Ordinal));
        Assert.DoesNotContain(changes, c => c.Contains("8080", StringComparison.Ordinal));
        Assert.Contains("Fault isolation: nodes keep 1 unit(s) at their last good commit and apply the rest:", text.Output, StringComparison.Ordinal);
        Assert.Contains("  unit apps/ held back at ", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OneNode_MovedVip_NamesBothInstances()
    {
        var repository = Repository("dual-master");
        repository.Edit("cluster/instances.yaml", "    - address: 198.51.100.101/24", "    - address: 198.51.100.102/24");
        repository.Edit("cluster/instances.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
        repository.Commit("move .101 to vi_1");

        var run = CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD~1", "--path", "cluster", "--node", "ka2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("~ vip 198.51.100.101/24: instance vi_2 -> vi_1", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("node ka1", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--base", "nosuch", "no commit 'nosuch'")]
    [InlineData("--node", "ka9", null)]
    public void Plan_BadRevisionOrNode_ExitsOne(string option, string value, string? message)
    {
        var repository = Repository("basic");
        var run = option == "--base"
            ? CliRun.Of("plan", "--repo", repository.Path, "--base", value, "--path", "cluster")
            : CliRun.Of("plan", "--repo", repository.Path, "--base", "HEAD", "--path", "cluster", "--node", value);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message ?? "node 'ka9' is in neither commit", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NeitherBaseNorNode_IsAUsageErrorWithExitOne()
    {
        var run = CliRun.Of("plan");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("give --base (plan between commits) or --node", run.Error, StringComparison.Ordinal);
    }

    private GitRepository Repository(string example)
    {
        var repository = new GitRepository(Path.Combine(_work, example));
        repository.CopyIn(Path.Combine(RepoPaths.Examples, example), "cluster");
        repository.Commit($"{example} as in examples/");
        return repository;
    }
}
