using System.Text.Json.Nodes;
using Vigil.Demo;
using Vigil.Lab;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>
/// Real-server and quorum notifications from a running agent: two HTTP servers (python3's http.server in the client
/// namespace) behind a virtual server with quorum 2 and omega. One stops: its notify_down and the quorum_down hooks
/// run and the webhook (a small receiver beside them) gets both events; it starts again: notify_up and quorum_up.
/// The agent stops: under omega the down hooks of both servers and quorum_down run once more.
/// </summary>
public sealed class PoolNotifyTests
{
    private const string Receiver = """
        import http.server, sys
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                with open(sys.argv[1], 'ab') as log:
                    log.write(body + b'\n')
                self.send_response(204)
                self.end_headers()
        http.server.HTTPServer(('198.51.100.50', 8090), Hook).serve_forever()
        """;

    [Fact]
    public void RealServerAndQuorumChanges_RunTheHooks_PostTheWebhook_AndOmegaRunsTheDownHooksAtStop()
    {
        Skips.IfMissing((FailoverLab.SkipReason ?? ProcessServer.SkipReason(ProcessServer.Python, "python3")));
        using var lab = new FailoverLab(new Scenario());
        var hooks = Path.Combine(lab.Directory, "hooks.log");
        var posted = Path.Combine(lab.Directory, "webhook.jsonl");
        var receiver = Path.Combine(lab.Directory, "receiver.py");
        File.WriteAllText(receiver, Receiver);
        lab.Lab.Start(lab.Client, ProcessServer.Python, [receiver, posted]);
        System.Diagnostics.Process Web(int port) => lab.Lab.Start(lab.Client, ProcessServer.Python, ["-m", "http.server", "--bind", "198.51.100.50", port.ToString()]);
        Web(8081);
        var second = Web(8082);
        string Echo(string what) => $"sh -c 'echo {what} >> {hooks}'";
        string Real(int port) => $"""
                - address: 198.51.100.50
                  port: {port}
                  healthCheck:
                    httpGet:
                      path: /
                    connectTimeout: 300ms
                  notify:
                    onUp: {Echo($"up-{port}")}
                    onDown: {Echo($"down-{port}")}
            """;
        var cluster = Path.Combine(lab.ConfigFolder, "cluster.yaml");
        File.WriteAllText(cluster, File.ReadAllText(cluster).TrimEnd() + "\n  notification:\n    webhook:\n      url: http://198.51.100.50:8090/\n");
        File.WriteAllText(Path.Combine(lab.ConfigFolder, "web.yaml"), $"""
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: web
            spec:
              address: 198.51.100.100
              port: 80
              delayLoop: 200ms
              quorum: 2
              omega: true
              notify:
                onQuorumUp: {Echo("quorum-up")}
                onQuorumDown: {Echo("quorum-down")}
              realServers:
            {Real(8081)}
            {Real(8082)}
            """);
        string[] Hooks() => File.Exists(hooks) ? File.ReadAllLines(hooks) : [];
        // The webhook also gets the instance's transitions (type "transition"): only the pool's events count here.
        JsonNode[] Posted() => File.Exists(posted) ? [.. File.ReadAllLines(posted).Select(l => JsonNode.Parse(l)!).Where(p => (string?)p["type"] != "transition")] : [];
        JsonNode? Top() { try { return JsonNode.Parse(File.ReadAllText(lab.StatusFile("ka1"))); } catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; } }
        var ka1 = lab.StartVigil("ka1");
        // Both servers answer their checks: no change from the assumed state, nothing to say.
        Assert.True(FailoverLab.WaitUntil(() => Top()?["realServers"]?.AsArray().Count == 2, TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Empty(Hooks());

        NamespaceLab.Signal(second, "KILL");

        Assert.True(FailoverLab.WaitUntil(() => Hooks().Order().SequenceEqual(["down-8082", "quorum-down"]), TimeSpan.FromSeconds(5)), string.Join('\n', Hooks()) + lab.Explain());
        Assert.True(FailoverLab.WaitUntil(() => Posted().Length == 2, TimeSpan.FromSeconds(5)), lab.Explain());
        var down = Posted().Single(p => (string?)p["type"] == "realServer");
        Assert.Equal(("ka1", "web", "198.51.100.50:8082", "DOWN"), ((string?)down["node"], (string?)down["virtualServer"], (string?)down["realServer"], (string?)down["state"]));
        // Refused once the listener is gone; reset when a check's connection was in its queue as it was killed (seen in CI).
        Assert.Matches("^connect: connection (refused|reset)", (string?)down["reason"]);
        var quorum = Posted().Single(p => (string?)p["type"] == "quorum");
        Assert.Equal(("DOWN", "healthy weight 1 < 2 (quorum 2 - hysteresis 0)"), ((string?)quorum["state"], (string?)quorum["reason"]));
        Assert.Contains("web: quorum lost: healthy weight 1 < 2", lab.Output("ka1"), StringComparison.Ordinal);

        Web(8082);

        Assert.True(FailoverLab.WaitUntil(() => Hooks().Length == 4, TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.Equal(["down-8082", "quorum-down", "quorum-up", "up-8082"], Hooks().Order());
        Assert.True(FailoverLab.WaitUntil(() => Posted().Count(p => (string?)p["state"] == "UP") == 2, TimeSpan.FromSeconds(5)), lab.Explain());

        NamespaceLab.Signal(ka1, "TERM");

        Assert.True(ka1.WaitForExit(TimeSpan.FromSeconds(10)), lab.Explain());
        Assert.Equal(["down-8081", "down-8082", "down-8082", "quorum-down", "quorum-down", "quorum-up", "up-8082"], Hooks().Order());
        Assert.Contains(Posted(), p => (string?)p["realServer"] == "198.51.100.50:8081" && (string?)p["reason"] == "shutting down");
    }
}
