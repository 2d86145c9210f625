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
        if (ProcessServer.SkipReason(ProcessServer.Python, "python3-aiosmtpd") is { } reason)
        {
            Assert.Skip(reason);
        }
        using var server = ProcessServer.StartSmtp();
        var notifier = new EmailNotifier(new EmailSpec { SmtpServer = $"127.0.0.1:{server.Port}", From = "vigil@example.org", To = ["ops@example.org", "oncall@example.org"] }, Quiet);

        await notifier.Send(Email);

        var delivered = await Until(() => server.Output.Contains("Commit: 1a2b3c4d5e6f", StringComparison.Ordinal), () => server.Output);
        Assert.Contains("Subject: [vigil] ka1: vi_1 is now MASTER", delivered, StringComparison.Ordinal);
        Assert.Contains("To: ops@example.org, oncall@example.org", delivered, StringComparison.Ordinal);
        Assert.Contains("ka1: vi_1 went from BACKUP to MASTER at 2026-11-25 10:00:00.123 UTC.", delivered, StringComparison.Ordinal);
        Assert.Contains("Reason: master down", delivered, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableServer_DoesNotHoldTheCaller_AndIsRetried()
    {
        var notifier = new EmailNotifier(new EmailSpec { SmtpServer = $"127.0.0.1:{FreePort.Next()}", From = "vigil@example.org", To = ["ops@example.org"] }, Quiet);

        var sending = notifier.Send(Email);

        // Returned with the first attempt refused and the retry waiting (2 s): the transition went on meanwhile.
        Assert.False(sending.IsCompleted);
    }

    private static async Task<string> Until(Func<bool> condition, Func<string> value)
    {
        for (var waited = 0; waited < 5000 && !condition(); waited += 50)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        return value();
    }
}
