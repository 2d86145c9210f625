using Serilog;
using Vigil.Core.Desired;
using Vigil.Tests;

namespace Vigil.Notifications.Tests;

/// <summary>Transition emails through MailKit to a real SMTP server process (Debian's aiosmtpd, which prints what it receives).</summary>
public sealed class EmailTests
{
    private static readonly ILogger Quiet = new LoggerConfiguration().CreateLogger();

    private static readonly TransitionEmail Email = new("ka1", "vi_1", "BACKUP", "MASTER", 100, "master down",
        new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero), "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");

    [Fact]
    public async Task Transition_IsDelivered_WithHostInstanceStateTimeAndCommit()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Python, "python3-aiosmtpd"));
        using var server = ProcessServer.StartSmtp();
        var notifier = new EmailNotifier(new EmailSpec { SmtpServer = $"127.0.0.1:{server.Port}", From = "vigil@example.org", To = ["ops@example.org", "oncall@example.org"] }, Quiet);

        await notifier.Send(Email);

        Assert.True(await Poll.Until(() => server.Output.Contains("Commit: 1a2b3c4d5e6f", StringComparison.Ordinal)), server.Output);
        var delivered = server.Output;
        Assert.Contains("Subject: [vigil] ka1: vi_1 is now MASTER", delivered, StringComparison.Ordinal);
        Assert.Contains("To: ops@example.org, oncall@example.org", delivered, StringComparison.Ordinal);
        Assert.Contains("ka1: vi_1 went from BACKUP to MASTER at 2026-11-25 10:00:00.123 UTC.", delivered, StringComparison.Ordinal);
        Assert.Contains("Reason: master down", delivered, StringComparison.Ordinal);
    }

    /// <summary>keepalived's smtp_alert for a virtual server: a real server (or the quorum) going down, with the check's reason.</summary>
    [Fact]
    public async Task RealServerDown_IsDelivered_WithServiceServerReasonAndCommit()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Python, "python3-aiosmtpd"));
        using var server = ProcessServer.StartSmtp();
        var notifier = new EmailNotifier(new EmailSpec { SmtpServer = $"127.0.0.1:{server.Port}", From = "vigil@example.org", To = ["ops@example.org"] }, Quiet);

        await notifier.Send(new PoolEmail("lb1", "web", "real server 203.0.113.10:80", "DOWN", "status 503, expected 200",
            new DateTimeOffset(2026, 11, 25, 10, 0, 0, 456, TimeSpan.Zero), "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"));

        Assert.True(await Poll.Until(() => server.Output.Contains("Commit: 1a2b3c4d5e6f", StringComparison.Ordinal)), server.Output);
        var delivered = server.Output;
        Assert.Contains("Subject: [vigil] lb1: web real server 203.0.113.10:80 is DOWN", delivered, StringComparison.Ordinal);
        Assert.Contains("lb1: real server 203.0.113.10:80 of web is DOWN at 2026-11-25 10:00:00.456 UTC.", delivered, StringComparison.Ordinal);
        Assert.Contains("Reason: status 503, expected 200", delivered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_DoesNotHoldTheCaller_AndIsRetriedUntilItAnswers()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Python, "python3-aiosmtpd"));
        var port = FreePort.Next();
        var events = new LogEvents();
        var notifier = new EmailNotifier(new EmailSpec { SmtpServer = $"127.0.0.1:{port}", From = "vigil@example.org", To = ["ops@example.org"] },
            new LoggerConfiguration().WriteTo.Sink(events).CreateLogger());

        var sending = notifier.Send(Email);

        // The first attempt is refused (nothing listens yet) while the caller goes on; the retry waits 2 s, then 10 s.
        Assert.True(await Poll.Until(() => events.Contains("email attempt 1 failed")), events.ToString());
        Assert.False(sending.IsCompleted);
        using var server = ProcessServer.StartSmtp(port);
        await sending.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(events.Contains("email sent"), events.ToString());
        Assert.True(await Poll.Until(() => server.Output.Contains("Commit: 1a2b3c4d5e6f", StringComparison.Ordinal)), server.Output);
    }

    /// <summary>
    /// A mail server that accepts the connection and never says a word: each attempt ends at the connect timeout, the
    /// send is given up after its attempts and reported once (the attempts before it are not warnings).
    /// </summary>
    [Fact]
    public async Task ASilentServer_EndsEachAttemptAtTheTimeout_AndTheFailureIsReportedOnce()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var events = new LogEvents();
        var notifier = new EmailNotifier(new EmailSpec
        {
            SmtpServer = $"127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}", From = "vigil@example.org", To = ["ops@example.org"],
            ConnectTimeout = TimeSpan.FromSeconds(1),
        }, events.Logger, backoff: [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)]);

        await notifier.Send(Email).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(events.Contains("email not sent after 3 attempts"), events.ToString());
        Assert.Equal(1, events.AtLeast(Serilog.Events.LogEventLevel.Warning));
    }
}

/// <summary>The webhook: each transition POSTed as JSON to a real HTTP listener.</summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task Transition_IsPostedAsJson()
    {
        var port = FreePort.Next();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = listener.GetContextAsync();
        using var notifier = new WebhookNotifier(new WebhookSpec { Url = $"http://127.0.0.1:{port}/vigil" }, new LoggerConfiguration().CreateLogger());

        var sending = notifier.Send(new TransitionEvent("ka1", "vi_1", "BACKUP", "MASTER", 100, "master down",
            new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero), "1a2b3c4d"));
        var context = await received.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        using var raw = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(raw, TestContext.Current.CancellationToken);
        var body = System.Text.Json.Nodes.JsonNode.Parse(raw.ToArray())!;
        context.Response.StatusCode = 204;
        context.Response.Close();
        await sending;

        Assert.Equal("POST", context.Request.HttpMethod);
        Assert.Equal("/vigil", context.Request.Url!.AbsolutePath);
        Assert.Equal(("ka1", "vi_1", "BACKUP", "MASTER", 100, "1a2b3c4d"),
            ((string?)body["node"], (string?)body["instance"], (string?)body["previousState"], (string?)body["state"], (int?)body["priority"], (string?)body["commit"]));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero), (DateTimeOffset?)body["at"]);
        Assert.Equal("transition", (string?)body["type"]);
        Assert.Equal(raw.Length, context.Request.ContentLength64); // with its length, not chunked
    }

    /// <summary>A receiver that accepts and never answers: each attempt ends at the timeout, and the failure is reported once.</summary>
    [Fact]
    public async Task AHangingReceiver_EndsAtTheTimeout_AndTheFailureIsReportedOnce()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var events = new LogEvents();
        using var notifier = new WebhookNotifier(new WebhookSpec
        {
            Url = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/vigil", Timeout = TimeSpan.FromSeconds(1),
        }, events.Logger);

        await notifier.Send(new TransitionEvent("ka1", "vi_1", "BACKUP", "MASTER", 100, "master down", DateTimeOffset.UnixEpoch, null))
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(events.Contains("no answer within 1s for vi_1 MASTER (2 attempts)"), events.ToString());
        Assert.Equal(1, events.AtLeast(Serilog.Events.LogEventLevel.Warning));
    }

    [Fact]
    public async Task FailedPost_IsLoggedWithoutTheUrlsCredentials()
    {
        var events = new LogEvents();
        var url = $"http://hook-user:t0ken-pass@127.0.0.1:{FreePort.Next()}/vigil?key=q-t0ken";
        using var notifier = new WebhookNotifier(new WebhookSpec { Url = url, Timeout = TimeSpan.FromSeconds(2) }, events.Logger);

        await notifier.Send(new TransitionEvent("ka1", "vi_1", "BACKUP", "MASTER", 100, "master down", DateTimeOffset.UnixEpoch, null));

        Assert.True(events.Contains("webhook http://127.0.0.1:"), events.ToString());
        Assert.All(["hook-user", "t0ken-pass", "q-t0ken"], secret => Assert.DoesNotContain(secret, events.ToString(), StringComparison.Ordinal));
    }
}
