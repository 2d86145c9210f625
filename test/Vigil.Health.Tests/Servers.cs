using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>A small HTTP server on loopback whose answers a test sets: path -> (status, body), and the Host it requires.</summary>
internal sealed class SmallHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Thread _thread;

    /// <summary>On a free port, or on <paramref name="port"/> (a server started again).</summary>
    public SmallHttpServer(int? port = null)
    {
        Port = port ?? FreePort.Next();
        // Any Host header: the test sees what the probe sent (HttpListener matches prefixes by Host).
        _listener.Prefixes.Add($"http://*:{Port}/");
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    public int Port { get; }

    public Dictionary<string, (int Status, string Body)> Answers { get; } = new() { ["/"] = (200, "hello") };

    /// <summary>When set, other Host headers get 404 (a name-based virtual host).</summary>
    public string? RequiredHost { get; set; }

    /// <summary>Each request's HTTP version and Connection header, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(Version Version, string? Connection)> Requests { get; } = new();

    /// <summary>Where each request came from.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<IPEndPoint> Clients { get; } = new();

    private void Serve()
    {
        while (_listener.IsListening)
        {
            try
            {
                var context = _listener.GetContext();
                Requests.Enqueue((context.Request.ProtocolVersion, context.Request.Headers["Connection"]));
                Clients.Enqueue(context.Request.RemoteEndPoint);
                var host = context.Request.Headers["Host"]?.Split(':')[0];
                var (status, body) = RequiredHost is { } required && host != required ? (404, "no such site")
                    : Answers.TryGetValue(context.Request.Url!.AbsolutePath, out var answer) ? answer : (404, "not found");
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentLength64 = bytes.Length;
                context.Response.OutputStream.Write(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}

/// <summary>
/// openssl s_server with a self-signed certificate made for the test: answers GET / with 200 (its -www page). With
/// <paramref name="onlyName"/>, a client naming another server (SNI) gets a fatal alert (one naming none is served); with
/// <paramref name="clientCa"/>, a client without a certificate that CA signed is refused.
/// </summary>
internal sealed class TlsServer : IDisposable
{
    private readonly Process _process;

    public TlsServer(string directory, string? onlyName = null, string? clientCa = null)
    {
        Port = FreePort.Next();
        var (key, cert) = (Path.Combine(directory, "key.pem"), Path.Combine(directory, "cert.pem"));
        MakeCertificate("www.example.org", key, cert);
        List<string> options = ["s_server", "-quiet", "-www", "-accept", $"127.0.0.1:{Port}", "-cert", cert, "-key", key];
        if (onlyName is not null) options.AddRange(["-servername", onlyName, "-servername_fatal", "-cert2", cert, "-key2", key]);
        if (clientCa is not null) options.AddRange(["-Verify", "1", "-CAfile", clientCa]);
        _process = Process.Start(new ProcessStartInfo("openssl", options)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(10) && !FreePort.Accepts(Port))
        {
            Thread.Sleep(50);
        }
    }

    public static string? SkipReason => File.Exists("/usr/bin/openssl") ? null : "openssl is not installed (test/run installs it)";

    public int Port { get; }

    /// <summary>A self-signed EC certificate and its key (unencrypted, or under <paramref name="password"/>), in PEM files.</summary>
    public static void MakeCertificate(string name, string key, string cert, string? password = null) =>
        Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-days", "1", "-subj", $"/CN={name}",
            "-keyout", key, "-out", cert, password is null ? "-nodes" : $"-passout=pass:{password}"]);

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}

/// <summary>A listener that accepts connections and never answers: the server that hangs.</summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public SilentServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public void Dispose() => _listener.Stop();
}
