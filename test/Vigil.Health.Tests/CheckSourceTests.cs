using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Core.Desired;
using Vigil.Health.Probes;
using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>
/// keepalived's bindto, bind_port and bind_if on every kind of check: the servers (on loopback, where every 127/8
/// address is the host's) see the probes come from 127.0.0.2 and the port asked for; a ping's reply reaches a socket
/// bound to 127.0.0.2 only if the echo went from there; an interface that does not lead to the server fails the check.
/// </summary>
public sealed class CheckSourceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly IPAddress Source = IPAddress.Parse("127.0.0.2");

    private static ProbeTarget To(int port, int bindPort = 0, string? bindInterface = null) =>
        new(IPAddress.Loopback, port, new ProbeSource(Source, bindPort, bindInterface));

    [Fact]
    public async Task Tcp_ComesFromTheSourceAndPort_RunAfterRun()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var bindPort = FreePort.Next();
        for (var run = 0; run < 3; run++) // the same source port each run: no TIME_WAIT may keep it
        {
            var result = await new TcpProbe().ProbeAsync(To(port, bindPort), Timeout, cancel);
            Assert.True(result.Up, result.Reason);
            using var accepted = await listener.AcceptSocketAsync(cancel);
            Assert.Equal(new IPEndPoint(Source, bindPort), accepted.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Http_ComesFromTheSource()
    {
        using var server = new SmallHttpServer();
        var result = await new HttpProbe(new HttpCheckSpec(), tls: false).ProbeAsync(To(server.Port), Timeout, TestContext.Current.CancellationToken);
        Assert.True(result.Up, result.Reason);
        Assert.All(server.Clients, client => Assert.Equal(Source, client.Address));
        Assert.NotEmpty(server.Clients);

        var foreign = new ProbeTarget(IPAddress.Loopback, server.Port, new ProbeSource(IPAddress.Parse("203.0.113.77"), 0, null));
        Assert.Equal(ProbeResult.Failure("bind from 203.0.113.77: address not available"),
            await new HttpProbe(new HttpCheckSpec(), tls: false).ProbeAsync(foreign, Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Smtp_ComesFromTheSource()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var served = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(cancel);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await stream.WriteAsync("220 test ESMTP\r\n"u8.ToArray(), cancel);
            await reader.ReadLineAsync(cancel);
            await stream.WriteAsync("250 hello\r\n"u8.ToArray(), cancel);
            await reader.ReadLineAsync(cancel);
            return (IPEndPoint)client.Client.RemoteEndPoint!;
        }, cancel);
        var result = await new SmtpProbe(new SmtpCheckSpec { Helo = "director" }).ProbeAsync(To(((IPEndPoint)listener.LocalEndpoint).Port), Timeout, cancel);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(Source, (await served).Address);
    }

    [Fact]
    public async Task UdpAndDns_SendFromTheSourceAndPort()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.LocalEndPoint!).Port;
        var buffer = new byte[512];

        var bindPort = FreePort.Next();
        var udp = new UdpProbe(new UdpCheckSpec()).ProbeAsync(To(port, bindPort), TimeSpan.FromMilliseconds(300), cancel);
        var received = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancel);
        Assert.Equal(new IPEndPoint(Source, bindPort), received.RemoteEndPoint);
        Assert.True((await udp).Up);

        var dns = new DnsProbe(new DnsCheckSpec { Name = "example.org" }).ProbeAsync(To(port), TimeSpan.FromMilliseconds(300), cancel);
        received = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancel);
        Assert.Equal(Source, ((IPEndPoint)received.RemoteEndPoint).Address);
        Assert.False((await dns).Up); // nobody answered the query
    }

    [Fact]
    public async Task Ping_FromTheSource_IsAnsweredThere_AndAnAddressNotTheHostsIsSaid()
    {
        var cancel = TestContext.Current.CancellationToken;
        var answered = await new PingProbe().ProbeAsync(To(0), Timeout, cancel);
        Assert.True(answered.Up, answered.Reason);

        var foreign = new ProbeTarget(IPAddress.Loopback, 0, new ProbeSource(IPAddress.Parse("203.0.113.77"), 0, null));
        Assert.Equal(ProbeResult.Failure("bind from 203.0.113.77: address not available"), await new PingProbe().ProbeAsync(foreign, Timeout, cancel));
    }

    [Fact]
    public void Interface_ThatLeadsToTheServer_Passes_AnotherFails()
    {
        using var ns = new TestNamespace();
        Skips.IfMissing(ns.Ready ? null : TestNamespace.SkipReason);
        using (var lo = System.Diagnostics.Process.Start("ip", ["-n", ns.Name, "link", "set", "lo", "up"])) lo.WaitForExit();
        var (viaLo, viaD0, noSuch) = Vigil.Netlink.NetworkNamespace.Run(ns.Name, () =>
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            ProbeResult Probe(string device) => new TcpProbe()
                .ProbeAsync(new ProbeTarget(IPAddress.Loopback, port, new ProbeSource(null, 0, device)), TimeSpan.FromSeconds(1), CancellationToken.None).GetAwaiter().GetResult();
            return (Probe("lo"), Probe("d0"), Probe("nosuch0"));
        });

        Assert.True(viaLo.Up, viaLo.Reason);
        Assert.False(viaD0.Up, viaD0.Reason); // d0 has no way to 127.0.0.1
        Assert.False(noSuch.Up);
        Assert.StartsWith("bind via nosuch0: ", noSuch.Reason, StringComparison.Ordinal);
    }
}
