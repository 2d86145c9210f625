using System.Text.Json.Nodes;
using Vigil.Lab;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>The agent's own log file, in JSON: separate from the console, one event per line, the transition's fields structured.</summary>
public sealed class LogTests
{
    [Fact]
    public void JsonLog_TransitionCarriesInstanceVridStatesPriorityAndCommit()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
        origin.CopyIn(lab.ConfigFolder, "cluster");
        var commit = origin.Commit("two nodes, one VIP");
        lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--state-dir", Path.Combine(lab.Directory, node + "-state"), "--log-format", "json"];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var file = Path.Combine(lab.Directory, "ka1.log");

        var events = File.ReadAllLines(file).Select(line => JsonNode.Parse(line)!).ToList();

        var master = Assert.Single(events, e => (string?)e["Properties"]?["To"] == "Master");
        var properties = master["Properties"]!;
        Assert.Equal(("vi_1", 51, "Backup", 100, commit, "ka1"),
            ((string?)properties["Instance"], (int?)properties["VirtualRouterId"], (string?)properties["From"], (int?)properties["Priority"], (string?)properties["Commit"], (string?)properties["Node"]));
        Assert.Matches(@"\.\d{3,}", (string?)master["Timestamp"]); // milliseconds at least
        Assert.Contains(": Backup -> Master", (string?)master["RenderedMessage"], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e["Properties"] is null);
        Assert.Contains("\"To\":\"Master\"", lab.Output("ka1"), StringComparison.Ordinal); // the console has its own copy
    }
}
