using System.Text.Json.Nodes;
using Vigil.Demo;
using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// Peer status in the lab: two agents serve their status to each other on their node addresses, signed with the
/// cluster's key from a file on each node; `vigil status --cluster` on ka1 shows both side by side; a request without
/// the key is refused; the key is in no status and no output.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class PeerStatusTests
{
    [Fact]
    public void StatusCluster_ShowsBothNodes_SignedRequestsOnly()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var keyFile = Path.Combine(lab.Directory, "peer.key");
        File.WriteAllText(keyFile, secret + "\n");
        var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
        File.WriteAllText(cluster, File.ReadAllText(cluster).Replace("spec:\n", $"spec:\n  peerStatus:\n    port: 9111\n    keyFile: {keyFile}\n", StringComparison.Ordinal));
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        var vigil = VigilExecutable.BesideAssembly().File;
        (int ExitCode, string Output) StatusCluster(string format) =>
            NamespaceLab.Run("ip", "netns", "exec", lab.Host("ka1").Namespace, vigil, "status", "--cluster", "--output", format, lab.StatusFile("ka1"));
        JsonArray? answers = null;
        Assert.True(FailoverLab.WaitUntil(() =>
        {
            var (exitCode, output) = StatusCluster("json");
            answers = exitCode == 0 ? JsonNode.Parse(output) as JsonArray : null;
            return answers?.All(a => (string?)a!["status"]?["instances"]?[0]?["state"] is "Master" or "Backup") == true;
        }, TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Equal(["ka1", "ka2"], answers!.Select(a => (string)a!["node"]!));
        Assert.Equal(["Master", "Backup"], answers!.Select(a => (string)a!["status"]!["instances"]![0]!["state"]!));
        var text = StatusCluster("text");
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"vi_1\s+Master 100\s+Backup 80", text.Output);

        // Without the key: refused, and told nothing.
        var unsigned = NamespaceLab.Run("ip", "netns", "exec", lab.Host("ka1").Namespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://198.51.100.12:9111/v1/status");
        Assert.Equal("401", unsigned.Output.Trim());

        Assert.DoesNotContain(secret, File.ReadAllText(lab.StatusFile("ka1")), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, StatusCluster("json").Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, lab.Explain(), StringComparison.Ordinal);
    }
}
