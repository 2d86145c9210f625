using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;
using Vigil.Health.Probes;
using Vigil.Tests;

namespace Vigil.Health.Tests;

/// <summary>
/// keepalived's UDP_CHECK against a real UDP server (Debian's dnsmasq, sent a DNS query as the payload), a closed port
/// (the kernel's ICMP port unreachable) and a server that never answers; PING_CHECK against a real echo and an address
/// with no route (in a namespace of its own, so nothing leaves the machine); keepalived's hex form.
/// </summary>
public sealed class UdpPingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData("Ab12f 3 456 546443123", "ab120f03450654644312 03", "00000000000000000000 00")]
    [InlineData("12 3x", "12 30", "00 0f")]
    [InlineData("X1", "01", "f0")]
    public void HexString_ReadsKeepalivedsFreeForm(string text, string bytes, string ignored)
    {
        Assert.True(HexString.TryParse(text, allowWildcards: true, out var value, out var mask));
        Assert.Equal(Convert.FromHexString(bytes.Replace(" ", "", StringComparison.Ordinal)), value);
        Assert.Equal(Convert.FromHexString(ignored.Replace(" ", "", StringComparison.Ordinal)), mask);
        Assert.False(HexString.TryParse("12 3x", allowWildcards: false, out _, out _));
        Assert.False(HexString.TryParse("12 g0", allowWildcards: true, out _, out _));
    }

    [Fact]
    public async Task Udp_ReplyFromARealServer_ClosedPort_AndSilence()
    {
        Skips.IfMissing(ProcessServer.SkipReason(ProcessServer.Dnsmasq, "dnsmasq-base"));
        var cancel = TestContext.Current.CancellationToken;
        using var dns = ProcessServer.StartDns();
        var query = new byte[512];
        var payload = Convert.ToHexString(query.AsSpan(0, DnsQuery.Encode(0x1234, "www.example.org", DnsQuery.Types["A"], query)));
        var server = new ProbeTarget(IPAddress.Loopback, dns.Port);
        Task<ProbeResult> Probe(UdpCheckSpec spec, ProbeTarget target) => new UdpProbe(spec).ProbeAsync(target, Timeout, cancel);

        // dnsmasq answers the query: its id, the response bit (x: the rest of that byte is not compared).
        Assert.True((await Probe(new UdpCheckSpec { Payload = payload, Reply = "1234 8x" }, server)).Up);
        var other = await Probe(new UdpCheckSpec { Payload = payload, Reply = "4321" }, server);
        Assert.Equal(ProbeResult.Failure("reply differs at byte 0: 12, expected 43"), other);
        Assert.StartsWith("reply of ", (await Probe(new UdpCheckSpec { Payload = payload, RequireReply = true, MaxReplyLength = 8 }, server)).Reason, StringComparison.Ordinal);
        Assert.False((await Probe(new UdpCheckSpec { Payload = payload, RequireReply = true, MaxReplyLength = 8 }, server)).Up);

        // Nothing listens: the kernel's ICMP port unreachable comes back on the connected socket.
        var closed = new ProbeTarget(IPAddress.Loopback, FreePort.Next());
        Assert.Equal(ProbeResult.Failure("udp: connection refused"), await Probe(new UdpCheckSpec(), closed));

        // A socket that reads and never answers: no ICMP error is keepalived's success, unless a reply is required.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var quiet = new ProbeTarget(IPAddress.Loopback, ((IPEndPoint)silent.LocalEndPoint!).Port);
        Assert.Equal(ProbeResult.Success("no ICMP error"), await Probe(new UdpCheckSpec(), quiet));
        Assert.Equal(ProbeResult.Failure("no reply within 1s"), await Probe(new UdpCheckSpec { RequireReply = true }, quiet));
    }

    [Fact]
    public void Ping_EchoAnswered_NoRouteIsDown()
    {
        using var ns = new TestNamespace();
        Skips.IfMissing(ns.Ready ? null : TestNamespace.SkipReason);
        using (var lo = System.Diagnostics.Process.Start("ip", ["-n", ns.Name, "link", "set", "lo", "up"])) lo.WaitForExit();
        // In the namespace: lo answers; 203.0.113.99 has no route there, so the echo is refused before it is sent.
        var (up, down) = Vigil.Netlink.NetworkNamespace.Run(ns.Name, () =>
        {
            var probe = new PingProbe();
            return (probe.ProbeAsync(new ProbeTarget(IPAddress.Loopback, 0), Timeout, CancellationToken.None).GetAwaiter().GetResult(),
                probe.ProbeAsync(new ProbeTarget(IPAddress.Parse("203.0.113.99"), 0), Timeout, CancellationToken.None).GetAwaiter().GetResult());
        });

        Assert.True(up.Up, up.Reason);
        Assert.StartsWith("echo reply in ", up.Reason, StringComparison.Ordinal);
        Assert.False(down.Up);
    }
}
