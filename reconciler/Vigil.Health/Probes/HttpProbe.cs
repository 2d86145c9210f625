using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's HTTP_GET and SSL_GET: GET the path from the real server itself (whatever the virtual host resolves
/// to), expect the status code and, when given, the MD5 of the body as keepalived's genhash prints it. TLS checks the
/// certificate only when asked, as keepalived does not, sends a server name only with enableSni, and a client
/// certificate where one is configured.
/// </summary>
public sealed class HttpProbe : IHealthProbe, IDisposable
{
    private readonly HttpCheckSpec _spec;
    private readonly bool _tls;
    private readonly HttpClient _client;
    private ProbeTarget? _target;
    private X509Certificate2Collection? _clientCertificates;

    public HttpProbe(HttpCheckSpec spec, bool tls)
    {
        _spec = spec;
        _tls = tls;
        var handler = new SocketsHttpHandler
        {
            // Fresh connection each time, as keepalived's checker: a pooled one would hide a server that stopped accepting.
            PooledConnectionLifetime = TimeSpan.Zero,
            // TLS is done there too (the handler takes the SslStream as it is): its own would always send the host as
            // the server name, and keepalived sends none unless enable_sni.
            ConnectCallback = ConnectAsync,
            AllowAutoRedirect = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The most of a body digested; a larger one fails the check rather than filling the agent's memory.</summary>
    public const int MaxDigestedBody = 16 * 1024 * 1024;

    /// <summary>How much of a body a url's regex is matched against: its start, kept in memory.</summary>
    public const int RegexWindow = 1024 * 1024;

    /// <summary>
    /// keepalived's genhash digest of the body, in lower-case hex (null when the body is larger than the bound), and its
    /// first <see cref="RegexWindow"/> bytes as text for a regex.
    /// </summary>
    private static async Task<(string? Digest, string Head)> Read(HttpResponseMessage response, CancellationToken cancellation)
    {
#pragma warning disable CA5351 // keepalived's genhash digest is MD5: compared, not trusted for security
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        await using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        using var head = new MemoryStream();
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxDigestedBody)
            {
                return (null, System.Text.Encoding.UTF8.GetString(head.ToArray()));
            }
            md5.AppendData(buffer, 0, read);
            head.Write(buffer, 0, (int)Math.Min(read, Math.Max(0, RegexWindow - head.Length)));
        }
        return (Convert.ToHexStringLower(md5.GetHashAndReset()), System.Text.Encoding.UTF8.GetString(head.ToArray()));
    }

    /// <summary>Every url in turn, each on a fresh connection within the timeout; the first that fails fails the check, as keepalived's.</summary>
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        _target = target;
        if (_spec is SslCheckSpec { ClientCertificate: { } client })
        {
            // Read at every run, so that a renewed certificate is taken without a reload.
            try
            {
                var loaded = LoadClientCertificate(client);
                _clientCertificates?.ToList().ForEach(c => c.Dispose());
                _clientCertificates = [loaded];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                return ProbeResult.Failure($"client certificate {client.Certificate}: {e.Message}");
            }
        }
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
            // keepalived's http_protocol: 1.0 (its default, and Vigil's) sends no Connection header, 1.0C and 1.1 Connection: close.
            using var request = new HttpRequestMessage(HttpMethod.Get, uri)
            {
                Version = _spec.HttpProtocol == "1.1" ? HttpVersion.Version11 : HttpVersion.Version10,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            if (_spec.HttpProtocol is "1.0C" or "1.1") request.Headers.ConnectionClose = true;
            // Headers first: the body is read only for a digest, and then streamed and bounded (never buffered whole).
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            var accepted = url.Accepted;
            if (!accepted.Contains((int)response.StatusCode))
            {
                return ProbeResult.Failure($"status {(int)response.StatusCode}, expected {accepted}");
            }
            if (url.Digest is not null || url.Regex is not null)
            {
                var (digest, head) = await Read(response, limit.Token).ConfigureAwait(false);
                if (url.Digest is { } expected)
                {
                    if (digest is null)
                    {
                        return ProbeResult.Failure($"body larger than {MaxDigestedBody / (1024 * 1024)} MiB, not digested");
                    }
                    if (!digest.Equals(expected, StringComparison.OrdinalIgnoreCase))
                    {
                        return ProbeResult.Failure($"digest {digest}, expected {expected.ToLowerInvariant()}");
                    }
                }
                if (url.Regex is { } pattern && Matches(pattern, head) is var matched && matched != !url.RegexNoMatch)
                {
                    return ProbeResult.Failure(matched is null ? $"regex {pattern}: no verdict within 1s" : url.RegexNoMatch ? $"body matches {pattern}" : $"body does not match {pattern}");
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
            // The socket's error may be wrapped once more (an IOException when the server resets while the request goes out).
            return ProbeResult.Failure(Inner<UnboundSourceException>(e) is { } unbound ? unbound.Message
                : Inner<SocketException>(e) is { } socket ? $"connect: {TcpProbe.Describe(socket)}"
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

    /// <summary>Whether the body's start matches; null when the regex takes over a second (a server's body is hostile input).</summary>
    private static bool? Matches(string pattern, string head)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(head, pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static T? Inner<T>(Exception e) where T : Exception
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>Always to the real server: the virtual host is only the Host header (and the TLS server name).</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var target = _target!;
        var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (target.Source?.Bind(socket) is { } unbound) throw new UnboundSourceException(unbound);
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), cancellation).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            return _tls ? await AuthenticateAsync(stream, context.DnsEndPoint.Host, cancellation).ConfigureAwait(false) : stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The TLS handshake: the virtual host as server name only with enableSni (or where verifyCertificate must check the
    /// certificate against it), the client certificate when one is configured.
    /// </summary>
    private async Task<SslStream> AuthenticateAsync(NetworkStream stream, string host, CancellationToken cancellation)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                // An empty name sends no SNI (nor does an address).
                TargetHost = _spec is SslCheckSpec { EnableSni: true } || _spec.VerifyCertificate ? host : "",
                ClientCertificates = _clientCertificates,
#pragma warning disable CA5359 // keepalived's SSL_GET does not verify unless asked: a self-signed real server is the norm
                RemoteCertificateValidationCallback = _spec.VerifyCertificate ? null : static (_, _, _, _) => true,
#pragma warning restore CA5359
            }, cancellation).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static X509Certificate2 LoadClientCertificate(ClientCertificateSpec spec)
    {
        var password = spec.Password switch
        {
            { File: { } file } => File.ReadAllText(file).Trim(),
            { Env: { } name } => Environment.GetEnvironmentVariable(name) ?? throw new ArgumentException($"environment variable {name} is not set"),
            _ => null,
        };
        return password is null
            ? X509Certificate2.CreateFromPemFile(spec.Certificate, spec.Key)
            : X509Certificate2.CreateFromEncryptedPemFile(spec.Certificate, password, spec.Key);
    }

    public void Dispose()
    {
        _client.Dispose();
        _clientCertificates?.ToList().ForEach(c => c.Dispose());
    }
}
