using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;
using Vigil.Health.Probes;

namespace Vigil.Fuzz.Targets;

/// <summary>A DNS server's answer, as the dns check decodes it.</summary>
public sealed class DnsTarget : IFuzzTarget
{
    public string Name => "dns";

    public void Run(ReadOnlySpan<byte> input) => _ = DnsQuery.TryDecode(input, out _);
}

/// <summary>
/// A real server that answers a probe with these bytes (then closes): the probe must end in a result. The server is a
/// listener on loopback in this process, so each run is one connection.
/// </summary>
public abstract class ServerAnswerTarget : IFuzzTarget, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IHealthProbe _probe;

    protected ServerAnswerTarget(IHealthProbe probe)
    {
        _probe = probe;
        _listener.Start();
    }

    public abstract string Name { get; }

    public void Dispose()
    {
        _listener.Dispose();
        GC.SuppressFinalize(this);
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        var answer = input.ToArray();
        var target = new ProbeTarget(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        var serve = Serve(answer);
        _ = _probe.ProbeAsync(target, Timeout, CancellationToken.None).GetAwaiter().GetResult();
        serve.GetAwaiter().GetResult();
    }

    private async Task Serve(byte[] answer)
    {
        using var client = await _listener.AcceptSocketAsync().ConfigureAwait(false);
        try
        {
            await client.SendAsync(answer, SocketFlags.None).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
            // Whatever the probe sends back is read and dropped, so that it never blocks on a full buffer.
            var sink = new byte[4096];
            using var limit = new CancellationTokenSource(Timeout);
            while (await client.ReceiveAsync(sink, SocketFlags.None, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The probe hung up first, or took longer than its own timeout: both are its business.
        }
    }
}

/// <summary>An HTTP server's answer, as the httpGet check reads it (status, length, digest of the body).</summary>
public sealed class HttpProbeTarget() : ServerAnswerTarget(new HttpProbe(new HttpCheckSpec { Path = "/", StatusCode = 200, Digest = "0123456789abcdef0123456789abcdef" }, tls: false))
{
    public override string Name => "http";
}

/// <summary>An SMTP server's lines, as the smtp check reads them (banner, HELO, QUIT).</summary>
public sealed class SmtpProbeTarget() : ServerAnswerTarget(new SmtpProbe(new SmtpCheckSpec { Helo = "vigil.example.org" }))
{
    public override string Name => "smtp";
}
