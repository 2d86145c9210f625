using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;
using Vigil.Health.Probes;

using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>Each probe against a real server on loopback or a real process, up and down, with the reason operators read.</summary>
public sealed class ProbeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-health-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ProbeTarget Loopback(int port) => new(IPAddress.Loopback, port);

    private static Task<ProbeResult> Probe(IHealthProbe probe, int port) => probe.ProbeAsync(Loopback(port), Timeout, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Tcp_Listening_IsUp_Closed_IsDownWithTheReason()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var up = await Probe(new TcpProbe(), port);
        listener.Stop();
        var down = await Probe(new TcpProbe(), port);

        Assert.Equal(ProbeResult.Success("connected"), up);
        Assert.Equal(ProbeResult.Failure("connect: connection refused"), down);
    }

    [Fact]
    public async Task Http_StatusDigestAndVirtualHost()
    {
        using var server = new SmallHttpServer();
        server.Answers["/broken"] = (503, "busy");
        // keepalived's genhash: the MD5 of the body "hello".
        const string HelloMd5 = "5d41402abc4b2a76b9719d911017c592";

        Assert.Equal(ProbeResult.Success("status 200"), await Probe(new HttpProbe(new HttpCheckSpec { Path = "/", Digest = HelloMd5 }, tls: false), server.Port));
        Assert.Equal(ProbeResult.Failure("status 503, expected 200"), await Probe(new HttpProbe(new HttpCheckSpec { Path = "/broken" }, tls: false), server.Port));
        Assert.Equal(ProbeResult.Failure($"digest {HelloMd5}, expected 00000000000000000000000000000000"),
            await Probe(new HttpProbe(new HttpCheckSpec { Digest = new string('0', 32) }, tls: false), server.Port));
        server.RequiredHost = "www.example.org";
        Assert.Equal(ProbeResult.Failure("status 404, expected 200"), await Probe(new HttpProbe(new HttpCheckSpec(), tls: false), server.Port));
        Assert.Equal(ProbeResult.Success("status 200"), await Probe(new HttpProbe(new HttpCheckSpec { VirtualHost = "www.example.org" }, tls: false), server.Port));
    }

    /// <summary>keepalived's http_protocol (1.0 the default, as keepalived's; 1.0C and 1.1 with Connection: close) and its url regex, matching or not.</summary>
    [Fact]
    public async Task Http_ProtocolVersion_AndBodyRegex()
    {
        using var server = new SmallHttpServer();
        server.Answers["/status"] = (200, "{\"status\": \"ok\", \"load\": 3}");
        HttpProbe Probe(string? protocol, string? regex = null, bool noMatch = false) => new(new HttpCheckSpec
        {
            HttpProtocol = protocol,
            Urls = [new HttpUrlSpec { Path = "/status", StatusCodes = "200", Regex = regex, RegexNoMatch = noMatch }],
        }, tls: false);

        foreach (var protocol in new[] { null, "1.0C", "1.1" })
        {
            Assert.True((await ProbeTests.Probe(Probe(protocol), server.Port)).Up);
        }
        var seen = server.Requests.ToList();
        Assert.Equal([new Version(1, 0), new Version(1, 0), new Version(1, 1)], seen.Select(r => r.Version));
        Assert.NotEqual("close", seen[0].Connection);
        Assert.Equal(["close", "close"], seen.Skip(1).Select(r => r.Connection?.ToLowerInvariant()));

        Assert.Equal(ProbeResult.Success("status 200"), await ProbeTests.Probe(Probe(null, "\"status\": *\"ok\""), server.Port));
        Assert.Equal(ProbeResult.Failure("body does not match maintenance"), await ProbeTests.Probe(Probe(null, "maintenance"), server.Port));
        Assert.Equal(ProbeResult.Failure("body matches load\": [0-9]"), await ProbeTests.Probe(Probe(null, "load\": [0-9]", noMatch: true), server.Port));
        Assert.True((await ProbeTests.Probe(Probe(null, "maintenance", noMatch: true), server.Port)).Up);
    }

    /// <summary>keepalived's status_code lists and ranges, and several url blocks that must all pass (each with its own Host).</summary>
    [Fact]
    public async Task Http_StatusCodeRanges_AndSeveralUrls_AllMustPass()
    {
        using var server = new SmallHttpServer();
        server.Answers["/moved"] = (301, "elsewhere");
        server.Answers["/empty"] = (204, "");
        server.Answers["/broken"] = (503, "busy");

        Assert.Equal(ProbeResult.Success("status 301"), await Probe(new HttpProbe(new HttpCheckSpec { Path = "/moved", StatusCodes = "200-299 301" }, tls: false), server.Port));
        Assert.Equal(ProbeResult.Success("status 204"), await Probe(new HttpProbe(new HttpCheckSpec { Path = "/empty", StatusCodes = "200-299 301" }, tls: false), server.Port));
        Assert.Equal(ProbeResult.Failure("status 503, expected 200-299 301"), await Probe(new HttpProbe(new HttpCheckSpec { Path = "/broken", StatusCodes = "200-299 301" }, tls: false), server.Port));

        HttpUrlSpec[] both = [new() { Path = "/" }, new() { Path = "/moved", StatusCodes = "301" }];
        Assert.Equal(ProbeResult.Success("2 urls answered"), await Probe(new HttpProbe(new HttpCheckSpec { Urls = [.. both] }, tls: false), server.Port));
        HttpUrlSpec[] oneBroken = [new() { Path = "/" }, new() { Path = "/broken" }, new() { Path = "/moved" }];
        Assert.Equal(ProbeResult.Failure("/broken: status 503, expected 200-299"), await Probe(new HttpProbe(new HttpCheckSpec { Urls = [.. oneBroken] }, tls: false), server.Port));

        // A url's own virtual host is its Host header; the others use the check's.
        server.RequiredHost = "www.example.org";
        HttpUrlSpec[] hosts = [new() { Path = "/", VirtualHost = "www.example.org" }, new() { Path = "/moved", StatusCodes = "301" }];
        Assert.Equal(ProbeResult.Failure("/moved: status 404, expected 301"), await Probe(new HttpProbe(new HttpCheckSpec { Urls = [.. hosts] }, tls: false), server.Port));
        Assert.Equal(ProbeResult.Success("2 urls answered"), await Probe(new HttpProbe(new HttpCheckSpec { Urls = [.. hosts], VirtualHost = "www.example.org" }, tls: false), server.Port));
    }

    /// <summary>A body is digested as a stream and only so far: a huge answer fails the check, it does not fill the agent's memory.</summary>
    [Fact]
    public async Task Http_BodyLargerThanTheDigestBound_FailsTheCheck()
    {
        using var server = new SmallHttpServer();
        server.Answers["/huge"] = (200, new string('x', HttpProbe.MaxDigestedBody + 1));

        var result = await Probe(new HttpProbe(new HttpCheckSpec { Path = "/huge", Digest = new string('0', 32) }, tls: false), server.Port);

        Assert.Equal(ProbeResult.Failure("body larger than 16 MiB, not digested"), result);
    }

    [Fact]
    public async Task Http_ServerThatHangs_TimesOut()
    {
        using var server = new SilentServer();

        var result = await Probe(new HttpProbe(new HttpCheckSpec(), tls: false), server.Port);

        Assert.Equal(ProbeResult.Failure("timeout after 500ms"), result);
    }

    [Fact]
    public async Task Ssl_SelfSignedCertificate_UpWithoutVerification_DownWithIt()
    {
        Skips.IfMissing(TlsServer.SkipReason);
        using var server = new TlsServer(_directory);

        var unverified = await Probe(new HttpProbe(new HttpCheckSpec { VirtualHost = "www.example.org" }, tls: true), server.Port);
        var verified = await Probe(new HttpProbe(new HttpCheckSpec { VirtualHost = "www.example.org", VerifyCertificate = true }, tls: true), server.Port);

        Assert.Equal(ProbeResult.Success("status 200"), unverified);
        Assert.False(verified.Up);
        Assert.StartsWith("TLS: ", verified.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// keepalived's enable_sni: the virtual host goes as the TLS server name only when asked; without it none is sent
    /// (keepalived's default). The server refuses a name other than its own, and serves a client that names none.
    /// </summary>
    [Fact]
    public async Task Ssl_ServerName_SentOnlyWithEnableSni()
    {
        Skips.IfMissing(TlsServer.SkipReason);
        using var server = new TlsServer(_directory, onlyName: "www.example.org");
        Task<ProbeResult> Check(string host, bool sni) => Probe(new HttpProbe(new SslCheckSpec { VirtualHost = host, EnableSni = sni }, tls: true), server.Port);

        Assert.Equal(ProbeResult.Success("status 200"), await Check("other.example.org", sni: false));
        Assert.Equal(ProbeResult.Success("status 200"), await Check("www.example.org", sni: true));
        var refused = await Check("other.example.org", sni: true);
        Assert.False(refused.Up);
        Assert.StartsWith("TLS: ", refused.Reason, StringComparison.Ordinal);
    }

    /// <summary>keepalived's SSL block: a server that asks for a client certificate serves the check that has one.</summary>
    [Fact]
    public async Task Ssl_ClientCertificate_FromPemFiles_WithTheKeysPasswordFromAFile()
    {
        Skips.IfMissing(TlsServer.SkipReason);
        var (key, cert, passwordFile) = (Path.Combine(_directory, "client.key"), Path.Combine(_directory, "client.pem"), Path.Combine(_directory, "client.pass"));
        TlsServer.MakeCertificate("vigil-check", key, cert, password: "s3cr3t");
        File.WriteAllText(passwordFile, "s3cr3t\n");
        using var server = new TlsServer(_directory, clientCa: cert);
        var certificate = new ClientCertificateSpec { Certificate = cert, Key = key, Password = new SecretReference { File = passwordFile } };

        var without = await Probe(new HttpProbe(new HttpCheckSpec(), tls: true), server.Port);
        var with = await Probe(new HttpProbe(new SslCheckSpec { ClientCertificate = certificate }, tls: true), server.Port);
        var missing = await Probe(new HttpProbe(new SslCheckSpec { ClientCertificate = certificate with { Certificate = cert + ".gone" } }, tls: true), server.Port);

        Assert.False(without.Up);
        Assert.Equal(ProbeResult.Success("status 200"), with);
        Assert.False(missing.Up);
        Assert.StartsWith($"client certificate {cert}.gone: ", missing.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh -c 'exit 0'", false, true, null, "exit 0")]
    [InlineData("sh -c 'exit 1'", false, false, null, "exit 1")]
    [InlineData("sh -c 'exit 7'", false, false, null, "exit 7")]
    [InlineData("sh -c 'exit 7'", true, true, 5, "exit 7: weight 5")]
    [InlineData("sh -c 'exit 2'", true, true, 0, "exit 2: weight 0")]
    [InlineData("/nonexistent/check", false, false, null, "cannot run /nonexistent/check: No such file or directory")]
    public async Task Misc_ExitCodes_AsKeepalivedReadsThem(string script, bool dynamic, bool up, int? weight, string reason)
    {
        var result = await Probe(new MiscProbe(new MiscCheckSpec { Script = script, DynamicWeight = dynamic }), 0);

        Assert.Equal(new ProbeResult(up, reason, weight), result);
    }

    [Fact]
    public async Task Misc_ScriptThatHangs_IsKilledAtItsTimeout()
    {
        var marker = Path.Combine(_directory, "finished");

        var result = await Probe(new MiscProbe(new MiscCheckSpec { Script = $"sh -c 'sleep 5; touch {marker}'", Timeout = TimeSpan.FromMilliseconds(300) }), 0);

        Assert.Equal(ProbeResult.Failure("sh killed after 300ms (timeout)"), result);
        await Task.Delay(TimeSpan.FromSeconds(5.5), TestContext.Current.CancellationToken);
        Assert.False(File.Exists(marker)); // the whole process tree was killed
    }

    [Fact]
    public void CommandLine_SplitsWordsAndQuotes_WithoutAShell()
    {
        Assert.Equal(["/usr/bin/check", "--name", "two words", "it's"], CommandLine.Split("/usr/bin/check  --name 'two words' \"it's\""));
    }
}
