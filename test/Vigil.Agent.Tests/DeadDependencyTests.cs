using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Demo;
using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Agent.Tests;

/// <summary>
/// issue 16's slow or dead dependencies, all at once, against real agents in the namespace lab: a git remote that
/// accepts the connection and never answers (git daemon frozen with SIGSTOP), an SMTP server and a webhook that accept
/// and never reply (listeners that never read), and a DNS server that never answers a DNS check (a UDP socket nobody
/// reads). VRRP keeps time (100 ms adverts, the backup never takes over), the reconcile loop answers within the fetch
/// timeout, and each failure is reported once.
/// </summary>
public sealed partial class DeadDependencyTests
{
    private const string Silent = """
        import socket, sys, time
        listeners = []
        for port in sys.argv[2:]:
            udp = port.startswith("udp:")
            s = socket.socket(type=socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(port[4:] if udp else port)))
            if not udp:
                s.listen(64)  # the kernel completes every handshake; nobody ever reads or writes
            listeners.append(s)
        print("listening", flush=True)
        time.sleep(3600)
        """;

    [Fact]
    public void ASilentGitRemote_SmtpServer_AndWebhook_HoldNeitherVrrpNorTheLoop()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var client = lab.Client.Address.Split('/')[0];
        var origin = new GitRepository(Path.Combine(lab.Directory, "origin"));
        origin.CopyIn(lab.ConfigFolder, "cluster");
        origin.Edit("cluster/cluster.yaml", "  scripts:", $"""
              notification:
                email:
                  smtpServer: {client}:2525
                  from: vigil@example.org
                  to: [ops@example.org]
                  connectTimeout: 2s
                webhook:
                  url: http://{client}:8089/vigil
                  timeout: 1s
              scripts:
            """);
        origin.Edit("cluster/vi_1.yaml", "  virtualRouterId: 51", "  virtualRouterId: 51\n  notify:\n    email: true");
        origin.Commit("notifications to servers that never answer");

        var script = Path.Combine(lab.Directory, "silent.py");
        File.WriteAllText(script, Silent);
        var listening = new ManualResetEventSlim();
        lab.Lab.Start(lab.Client, "python3", [script, client, "2525", "8089"], line => { if (line == "listening") listening.Set(); });
        Assert.True(listening.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the silent listeners did not start");
        // git-daemon itself (`git daemon` would run it as a child, and a SIGSTOP would stop only the wrapper).
        var daemon = lab.Lab.Start(lab.Client, "/usr/lib/git-core/git-daemon", ["--reuseaddr", "--export-all", $"--base-path={lab.Directory}", $"--listen={client}", "--port=9418", lab.Directory]);
        lab.VigilSource = node => ["--repo", $"git://{client}/origin", "--path", "cluster", "--interval", "1s", "--fetch-timeout", "2s",
            "--state-dir", Path.Combine(lab.Directory, node + "-state")];
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);

        // The remote freezes: each new connection is accepted by the kernel and never answered.
        NamespaceLab.Run("kill", "-STOP", daemon.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            var from = Takeover.Now();
            var asked = Stopwatch.StartNew();
            using var output = new StringWriter();
            var exitCode = Vigil.Cli.VigilCommandLine.Run(["reconcile", "--status-file", lab.StatusFile("ka1"), "--timeout", "20"], output, output);
            var answered = asked.Elapsed;
            Assert.True(exitCode == 1, output.ToString());
            Assert.Contains($"fetch git://{client}/origin", output.ToString(), StringComparison.Ordinal);
            // One fetch of at most --fetch-timeout to connect and then per answer, and the pass's own work.
            Assert.True(answered < TimeSpan.FromSeconds(8), $"vigil reconcile answered after {answered.TotalSeconds:F1} s");

            // Several more passes fail the same way (interval 1 s) while the notifications time out.
            Thread.Sleep(TimeSpan.FromSeconds(8));
            var to = Takeover.Now();
            var figures = ChaosFigures.Of(lab.Wire.Events, [], from, to, lab.Scenario.AdvertInterval, lab.Scenario.MasterDownInterval);
            Assert.True(figures.Takeovers == 0, $"{figures.Takeovers} takeover(s) while the dependencies hung\n{lab.Explain()}");
            // Held by a dependency, an advert would be late by a timeout (1 s, 2 s); within one interval is the machine's noise.
            Assert.True(figures.WorstAdvertLateness < lab.Scenario.AdvertInterval, $"ka1's adverts were up to {figures.WorstAdvertLateness.TotalMilliseconds:F0} ms late");

            // Once each: the fetch's failure (however many passes failed alike), each webhook post and each email attempt.
            var log = lab.Output("ka1");
            var fetchFailures = Regex.Matches(log, @"fetch git://[^ ]+: .*; still running.*").Select(m => m.Value).ToList();
            Assert.True(fetchFailures.Count == 1, string.Join('\n', fetchFailures));
            var posts = Regex.Matches(log, @"webhook http://[^ ]+: .* \(2 attempts\).*").Select(m => m.Value).ToList();
            Assert.True(posts.Count > 0 && posts.Distinct().Count() == posts.Count, $"{string.Join(" | ", posts)}\n{log}");

            // Each email: two retries told at Information, one error when given up (after 2 s and 10 s of backoff).
            var givenUp = Stopwatch.StartNew();
            bool AllGivenUp(string text) => Regex.Count(text, "email not sent after 3 attempts") is var n && n > 0 && n == Regex.Count(text, "email attempt 1 failed");
            while (!AllGivenUp(lab.Output("ka1")) && givenUp.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(200);
            }
            log = lab.Output("ka1");
            var emails = Regex.Count(log, "email not sent after 3 attempts");
            Assert.True(emails > 0 && Regex.Count(log, "email attempt 1 failed") == emails && Regex.Count(log, "email attempt 2 failed") == emails, log);
        }
        finally
        {
            NamespaceLab.Run("kill", "-CONT", daemon.Id.ToString(CultureInfo.InvariantCulture));
        }
        // Resumed, the daemon first works through the connections queued while it was frozen: a fetch in that moment
        // may still time out, so recovery is asked for until it comes (within the lab's bound), not at once.
        var again = new StringWriter();
        Assert.True(FailoverLab.WaitUntil(() =>
        {
            again = new StringWriter();
            return Vigil.Cli.VigilCommandLine.Run(["reconcile", "--status-file", lab.StatusFile("ka1"), "--timeout", "20"], again, again) == 0;
        }, TimeSpan.FromSeconds(40)), again.ToString());
        Assert.Contains("reachable again", lab.Output("ka1"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A DNS server that never answers a DNS check (a UDP socket nobody reads): the check runs every second, two attempts
    /// of 1 s each, and the real server's failure is logged once; VRRP keeps time and `vigil reconcile` answers. (This
    /// host has no IPVS, so the revision stays partly applied: the check runs all the same.)
    /// </summary>
    [Fact]
    public void ASilentDnsServer_IsReportedOnce_AndHoldsNeitherVrrpNorTheLoop()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var client = lab.Client.Address.Split('/')[0];
        File.WriteAllText(Path.Combine(lab.ConfigFolder, "dns.yaml"), $"""
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: dns
            spec:
              address: 203.0.113.53
              port: 53
              protocol: UDP
              delayLoop: 1s
              realServers:
                - address: {client}
                  healthCheck:
                    dns:
                      name: example.org
                      port: 5353
                    connectTimeout: 1s
                    retry: 2
            """);
        var script = Path.Combine(lab.Directory, "silent.py");
        File.WriteAllText(script, Silent);
        var listening = new ManualResetEventSlim();
        lab.Lab.Start(lab.Client, "python3", [script, client, "udp:5353"], line => { if (line == "listening") listening.Set(); });
        Assert.True(listening.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the silent DNS server did not start");
        Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        var from = Takeover.Now();

        // The first run fails after 2 x 1 s; four more runs fail alike.
        Assert.True(FailoverLab.WaitUntil(() => lab.Output("ka1").Contains("dns: real server", StringComparison.Ordinal), TimeSpan.FromSeconds(15)), lab.Explain());
        Thread.Sleep(TimeSpan.FromSeconds(8));
        var asked = Stopwatch.StartNew();
        using var output = new StringWriter();
        Vigil.Cli.VigilCommandLine.Run(["reconcile", "--status-file", lab.StatusFile("ka1"), "--timeout", "20"], output, output);
        Assert.True(asked.Elapsed < TimeSpan.FromSeconds(8), $"vigil reconcile answered after {asked.Elapsed.TotalSeconds:F1} s: {output}");

        var figures = ChaosFigures.Of(lab.Wire.Events, [], from, Takeover.Now(), lab.Scenario.AdvertInterval, lab.Scenario.MasterDownInterval);
        Assert.True(figures.Takeovers == 0, $"{figures.Takeovers} takeover(s)\n{lab.Explain()}");
        Assert.True(figures.WorstAdvertLateness < lab.Scenario.AdvertInterval, $"ka1's adverts were up to {figures.WorstAdvertLateness.TotalMilliseconds:F0} ms late");
        var log = lab.Output("ka1");
        var down = Regex.Matches(log, @"dns: real server [^ ]+ down: .*").Select(m => m.Value).ToList();
        Assert.True(down.Count == 1 && down[0].Contains("no reply within 1s (2 attempts)", StringComparison.Ordinal), $"{string.Join('\n', down)}\n{log}");
    }
}
