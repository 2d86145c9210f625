using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's HTTP_GET and SSL_GET: GET the path from the real server itself (whatever the virtual host resolves
/// to), expect the status code and, when given, the MD5 of the body as keepalived's genhash prints it. TLS checks the
/// certificate only when asked, as keepalived does not.
/// </summary>
public sealed class HttpProbe : IHealthProbe, IDisposable
{
    private readonly HttpCheckSpec _spec;
    private readonly bool _tls;
    private readonly HttpClient _client;
    private ProbeTarget? _target;

    public HttpProbe(HttpCheckSpec spec, bool tls)
    {
        _spec = spec;
        _tls = tls;
        var handler = new SocketsHttpHandler
        {
            // Fresh connection each time, as keepalived's checker: a pooled one would hide a server that stopped accepting.
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
#pragma warning disable CA5359 // keepalived's SSL_GET does not verify unless asked: a self-signed real server is the norm
                RemoteCertificateValidationCallback = spec.VerifyCertificate ? null : static (_, _, _, _) => true,
#pragma warning restore CA5359
            },
            AllowAutoRedirect = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The most of a body digested; a larger one fails the check rather than filling the agent's memory.</summary>
    public const int MaxDigestedBody = 16 * 1024 * 1024;

    /// <summary>keepalived's genhash digest of the body, in lower-case hex; null when the body is larger than the bound.</summary>
    private static async Task<string?> Md5Of(HttpResponseMessage response, CancellationToken cancellation)
    {
#pragma warning disable CA5351 // keepalived's genhash digest is MD5: compared, not trusted for security
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        await using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxDigestedBody)
            {
                return null;
            }
            md5.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>Every url in turn, each on a fresh connection within the timeout; the first that fails fails the check, as keepalived's.</summary>
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        _target = target;
        var urls = _spec.EffectiveUrls;
        var result = ProbeResult.Failure("no url");
        foreach (var url in urls)
        {
            result = await FetchAsync(url, target, timeout, cancellation).ConfigureAwait(false);
            if (!result.Up)
            {
                return urls.Count > 1 ? ProbeResult.Failure($"{url.Path}: {result.Reason}") : result;
            }
        }
        return urls.Count > 1 ? ProbeResult.Success($"{urls.Count} urls answered") : result;
    }

    private async Task<ProbeResult> FetchAsync(HttpUrlSpec url, ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        var host = url.VirtualHost ?? _spec.VirtualHost ?? (target.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{target.Address}]" : target.Address.ToString());
        var uri = new Uri($"{(_tls ? "https" : "http")}://{host}:{target.Port}{url.Path}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.ConnectionClose = true;
            // Headers first: the body is read only for a digest, and then streamed and bounded (never buffered whole).
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            var accepted = url.Accepted;
            if (!accepted.Contains((int)response.StatusCode))
            {
                return ProbeResult.Failure($"status {(int)response.StatusCode}, expected {accepted}");
            }
            if (url.Digest is { } expected)
            {
                if (await Md5Of(response, limit.Token).ConfigureAwait(false) is not { } digest)
                {
                    return ProbeResult.Failure($"body larger than {MaxDigestedBody / (1024 * 1024)} MiB, not digested");
                }
                if (!digest.Equals(expected, StringComparison.OrdinalIgnoreCase))
                {
                    return ProbeResult.Failure($"digest {digest}, expected {expected.ToLowerInvariant()}");
                }
            }
            return ProbeResult.Success($"status {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return ProbeResult.Failure($"timeout after {TcpProbe.Seconds(timeout)}");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Failure(e.InnerException is SocketException socket ? $"connect: {TcpProbe.Describe(socket.SocketErrorCode)}"
                : e.InnerException is System.Security.Authentication.AuthenticationException tls ? $"TLS: {tls.Message}"
                : e.Message);
        }
        catch (IOException e)
        {
            // The body ended before its Content-Length, or the connection broke while it was read (found by fuzzing:
            // it escaped the probe, so the check reported nothing and the server kept its last state).
            return ProbeResult.Failure($"body: {e.Message}");
        }
    }

    /// <summary>Always to the real server: the virtual host is only the Host header (and the TLS server name).</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var target = _target!;
        var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), cancellation).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();
}
