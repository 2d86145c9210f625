using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Notifications;

/// <summary>An email the notifier sends.</summary>
public interface IEmail
{
    string Subject { get; }

    string Body { get; }
}

/// <summary>What a transition email says: the node, the instance, the states, the priority, why, when (to the ms) and the commit.</summary>
public sealed record TransitionEmail(string Host, string Instance, string PreviousState, string State, int Priority, string Reason, DateTimeOffset At, string? Commit) : IEmail
{
    public string Subject => $"[vigil] {Host}: {Instance} is now {State}";

    public string Body =>
        $"""
        {Host}: {Instance} went from {PreviousState} to {State} at {At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC.
        Priority: {Priority}
        Reason: {Reason}
        Commit: {Commit ?? "(a folder, not git)"}
        """;
}

/// <summary>
/// What a virtual server's email says (keepalived's smtp_alert): a real server or the quorum (<paramref name="What"/>)
/// went UP or DOWN, why, when (to the ms) and the commit.
/// </summary>
public sealed record PoolEmail(string Host, string VirtualServer, string What, string State, string Reason, DateTimeOffset At, string? Commit) : IEmail
{
    public string Subject => $"[vigil] {Host}: {VirtualServer} {What} is {State}";

    public string Body =>
        $"""
        {Host}: {What} of {VirtualServer} is {State} at {At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC.
        Reason: {Reason}
        Commit: {Commit ?? "(a folder, not git)"}
        """;
}

/// <summary>
/// Sends transition and pool emails through MailKit to the Cluster's recipients, in the background: a slow or failing mail
/// server never delays a transition. A failed send is retried (3 attempts, 2 s and 10 s apart; each attempt bounded by
/// the connect timeout, a server that accepts and never answers included) and reported once, when it is given up;
/// the password is read at send time from its file or environment variable, never from git.
/// </summary>
/// <param name="backoff">The waits between attempts (2 s and 10 s when null).</param>
public sealed class EmailNotifier(EmailSpec spec, ILogger log, IReadOnlyList<TimeSpan>? backoff = null)
{
    private readonly IReadOnlyList<TimeSpan> _backoff = backoff ?? [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    /// <summary>Starts sending; returns at once with the task (tests wait on it).</summary>
    public Task Send(IEmail email) => Task.Run(() => SendWithRetries(email));

    private async Task SendWithRetries(IEmail email)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SendOnce(email).ConfigureAwait(false);
                log.Information("email sent: {Subject} to {To}", email.Subject, string.Join(", ", spec.To));
                return;
            }
            catch (ParseException e)
            {
                // An address that does not parse (validation refuses them; an older revision may not have) never will.
                log.Error("email not sent: {Subject}: an address does not parse: {Error}", email.Subject, e.Message);
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException
                or AuthenticationException or OperationCanceledException or InvalidOperationException or TimeoutException)
            {
                if (attempt > _backoff.Count)
                {
                    log.Error("email not sent after {Attempts} attempts: {Subject}: {Error}", attempt, email.Subject, e.Message);
                    return;
                }
                // Reported once, when given up: a dead server is one failure, not one per attempt. A server that accepts
                // and never answers ends in MailKit's TimeoutException, which used to escape and lose the email unretried.
                log.Information("email attempt {Attempt} failed: {Error}; retrying in {Delay}", attempt, e.Message, Durations.Format(_backoff[attempt - 1]));
                await Task.Delay(_backoff[attempt - 1]).ConfigureAwait(false);
            }
        }
    }

    private async Task SendOnce(IEmail email)
    {
        var message = new MimeMessage { Subject = email.Subject, Body = new TextPart("plain") { Text = email.Body } };
        message.From.Add(MailboxAddress.Parse(spec.From));
        message.To.AddRange(spec.To.Select(MailboxAddress.Parse));
        var (host, port) = HostAndPort(spec.SmtpServer);
        using var client = new SmtpClient { Timeout = (int)spec.ConnectTimeout.TotalMilliseconds };
        using var limit = new CancellationTokenSource(spec.ConnectTimeout);
        await client.ConnectAsync(host, port, SecureSocketOptions.Auto, limit.Token).ConfigureAwait(false);
        if (spec.Username is { } user && Secret(spec.Password) is { } password)
        {
            await client.AuthenticateAsync(user, password, limit.Token).ConfigureAwait(false);
        }
        await client.SendAsync(message, limit.Token).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, limit.Token).ConfigureAwait(false);
    }

    private static (string Host, int Port) HostAndPort(string server)
    {
        var colon = server.LastIndexOf(':');
        return colon > 0 && !server.EndsWith(']') && int.TryParse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (server[..colon].Trim('[', ']'), port)
            : (server.Trim('[', ']'), 25);
    }

    private static string? Secret(SecretReference? secret) => secret switch
    {
        { File: { } file } => File.ReadAllText(file).Trim(),
        { Env: { } name } => Environment.GetEnvironmentVariable(name),
        _ => null,
    };
}
