using Vigil.Core.Desired;
using Vigil.Core.Rendering;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Rendering;

public class KeepalivedConfWriterTests
{
    private static string Render(DesiredState state, string node) => KeepalivedConfWriter.Write(NodeProjection.For(state, node));

    [Fact]
    public void PreferredMaster_StartsAsMaster_OthersAsBackup()
    {
        var state = State(null, Instance() with { Authentication = new VrrpAuthenticationSpec { Password = "s3cr3t" } });
        var ka1 = Render(state, "ka1");
        Assert.Contains("    state MASTER\n", ka1, StringComparison.Ordinal);
        Assert.Contains("    priority 100\n", ka1, StringComparison.Ordinal);
        Assert.Contains("    authentication {\n        auth_type PASS\n        auth_pass s3cr3t\n    }\n", ka1, StringComparison.Ordinal);
        Assert.Contains("    state BACKUP\n", Render(state, "ka2"), StringComparison.Ordinal);
    }

    [Fact]
    public void NopreemptAndPreemptDelay_StartAsBackup_AsKeepalivedRequires()
    {
        var nopreempt = Render(State(null, Instance() with { Preempt = false }), "ka1");
        Assert.Contains("    state BACKUP\n    interface eth0\n", nopreempt, StringComparison.Ordinal);
        Assert.Contains("    nopreempt\n", nopreempt, StringComparison.Ordinal);
        var delayed = Render(State(null, Instance() with { PreemptDelay = TimeSpan.FromSeconds(5) }), "ka1");
        Assert.Contains("    state BACKUP\n", delayed, StringComparison.Ordinal);
        Assert.Contains("    preempt_delay 5\n", delayed, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicast_WritesSourceAndDerivedPeers()
    {
        var text = Render(State(Cluster(3, "100ms"), Instance() with { Transport = VrrpTransport.Unicast }), "ka2");
        Assert.Contains("    advert_int 0.1\n", text, StringComparison.Ordinal);
        Assert.Contains("    unicast_src_ip 198.51.100.12\n    unicast_peer {\n        198.51.100.11\n    }\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void VirtualServer_WritesChecksInKeepalivedTerms()
    {
        var text = Render(State(null, Instance()) with { VirtualServers = [Named("web", Web())] }, "ka1");
        Assert.Contains("virtual_server 198.51.100.100 80 {\n", text, StringComparison.Ordinal);
        Assert.Contains("    lb_kind DR\n", text, StringComparison.Ordinal);
        Assert.Contains("    real_server 198.51.100.21 80 {\n        weight 1\n        TCP_CHECK {\n", text, StringComparison.Ordinal);
        Assert.Contains("        HTTP_GET {\n            url {\n                path /\n                status_code 200\n            }\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.25", "203.0.113.25", null)]
    [InlineData("203.0.113.25:587", "203.0.113.25", "587")]
    [InlineData("smtp.example.org:25", "smtp.example.org", "25")]
    [InlineData("2001:db8::25", "2001:db8::25", null)]
    [InlineData("[2001:db8::25]", "2001:db8::25", null)]
    [InlineData("[2001:db8::25]:25", "2001:db8::25", "25")]
    public void SmtpServer_IsSplitIntoHostAndPort(string server, string host, string? port) =>
        Assert.Equal((host, port), KeepalivedConfWriter.SplitHostPort(server));
}
