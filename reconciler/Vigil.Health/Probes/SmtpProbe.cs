using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>keepalived's SMTP_CHECK: a 220 banner, then HELO answered with 250 (then QUIT).</summary>
public sealed class SmtpProbe(SmtpCheckSpec spec) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        using var client = new TcpClient(target.Address.AddressFamily);
        try
        {
            if (target.Source?.Bind(client.Client) is { } unbound) return ProbeResult.Failure(unbound);
            await client.ConnectAsync(new IPEndPoint(target.Address, target.Port == 0 ? 25 : target.Port), limit.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var banner = await ReplyAsync(reader, limit.Token).ConfigureAwait(false);
            if (banner.Code != 220)
            {
                return ProbeResult.Failure($"banner {banner.Code}: {banner.Text}");
            }
            var helo = spec.Helo ?? Dns.GetHostName();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HELO {helo}\r\n"), limit.Token).ConfigureAwait(false);
            var hello = await ReplyAsync(reader, limit.Token).ConfigureAwait(false);
            await stream.WriteAsync("QUIT\r\n"u8.ToArray(), limit.Token).ConfigureAwait(false);
            return hello.Code == 250 ? ProbeResult.Success($"HELO {helo}: 250") : ProbeResult.Failure($"HELO {helo}: {hello.Code} {hello.Text}");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return ProbeResult.Failure($"timeout after {TcpProbe.Seconds(timeout)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"connect: {TcpProbe.Describe(e)}");
        }
        catch (IOException e)
        {
            return ProbeResult.Failure($"connection lost: {e.Message}");
        }
    }

    /// <summary>One reply, multi-line ones ("250-...") read to their last line ("250 ...").</summary>
    private static async Task<(int Code, string Text)> ReplyAsync(StreamReader reader, CancellationToken cancellation)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellation).ConfigureAwait(false) ?? throw new IOException("closed by the server");
            if (line.Length >= 3 && int.TryParse(line.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
                && (line.Length == 3 || line[3] != '-'))
            {
                return (code, line.Length > 4 ? line[4..] : "");
            }
        }
    }
}
