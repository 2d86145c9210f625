using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Core.Desired;
using Vigil.Health.Probes;

using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>DNS_CHECK against Debian's dnsmasq and SMTP_CHECK against Debian's aiosmtpd, and the DNS codec against RFC 1035 bytes.</summary>
public sealed class DnsSmtpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void DnsQuery_EncodesRfc1035_AndDecodesTheReplyHeader()
    {
        var buffer = new byte[512];

        var length = DnsQuery.Encode(0x1234, "www.example.org", DnsQuery.Types["A"], buffer);

        Assert.Equal(Convert.FromHexString("123401000001000000000000" + "03777777076578616d706c65036f726700" + "00010001"), buffer[..length]);
        Assert.True(DnsQuery.TryDecode(Convert.FromHexString("123485800001000100000000"), out var reply));
        Assert.Equal(new DnsReply(0x1234, true, 0, 1), reply);
        Assert.False(DnsQuery.TryDecode(new byte[5], out _));
    }

    [Fact]
    public async Task Dns_KnownNameAnswers_UnknownIsRefused_NoServerTimesOut()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Dnsmasq, "dnsmasq-base"));
        var silent = new ProbeTarget(IPAddress.Loopback, FreePort.Next());
        using var server = ProcessServer.StartDns();
        var target = new ProbeTarget(IPAddress.Loopback, server.Port);
        var cancel = TestContext.Current.CancellationToken;

        Assert.Equal(ProbeResult.Success("A www.example.org: 1 answer(s)"), await new DnsProbe(new DnsCheckSpec { Name = "www.example.org", Type = "A" }).ProbeAsync(target, Timeout, cancel));
        Assert.Equal(ProbeResult.Failure("A other.example.org: REFUSED"), await new DnsProbe(new DnsCheckSpec { Name = "other.example.org", Type = "A" }).ProbeAsync(target, Timeout, cancel));
        var none = await new DnsProbe(new DnsCheckSpec { Name = "www.example.org", Type = "A" }).ProbeAsync(silent, Timeout, cancel);
        Assert.False(none.Up);
    }

    [Fact]
    public async Task Smtp_BannerAndHelo_Up_ClosedOrRefusingServer_Down()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Python, "python3-aiosmtpd"));
        var cancel = TestContext.Current.CancellationToken;
        using (var server = ProcessServer.StartSmtp())
        {
            Assert.Equal(ProbeResult.Success("HELO vigil.example.org: 250"),
                await new SmtpProbe(new SmtpCheckSpec { Helo = "vigil.example.org" }).ProbeAsync(new ProbeTarget(IPAddress.Loopback, server.Port), Timeout, cancel));
        }
        // A server that turns clients away in its banner.
        using var refusing = new TcpListener(IPAddress.Loopback, 0);
        refusing.Start();
        var port = ((IPEndPoint)refusing.LocalEndpoint).Port;
        var answer = Task.Run(async () =>
        {
            using var client = await refusing.AcceptTcpClientAsync(cancel);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("554 no service here\r\n"), cancel);
        }, cancel);
        Assert.Equal(ProbeResult.Failure("banner 554: no service here"),
            await new SmtpProbe(new SmtpCheckSpec()).ProbeAsync(new ProbeTarget(IPAddress.Loopback, port), Timeout, cancel));
        await answer;
        refusing.Stop();
        Assert.Equal(ProbeResult.Failure("connect: connection refused"),
            await new SmtpProbe(new SmtpCheckSpec()).ProbeAsync(new ProbeTarget(IPAddress.Loopback, port), Timeout, cancel));
    }
}
