using Vigil.Core.Desired;

namespace Vigil.Source.Tests;

public class YamlReadingTests
{
    [Fact]
    public void ScalarsAreTypedByTheYaml12CoreSchema_QuotedStaysText()
    {
        // A quoted number is text, so the schema rejects it where a number is wanted.
        var yaml = Loading.Cluster + "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: chk\nspec:\n  script: /bin/true\n  fall: \"3\"\n";
        var d = Assert.Single(Loading.Text(yaml).Diagnostics);
        Assert.Equal("must be a whole number (got '3')", d.Message);
    }

    [Fact]
    public void NumberWhereTextIsWanted_SuggestsQuotes()
    {
        var yaml = Loading.Cluster + "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: chk\nspec:\n  script: /bin/true\n  user: 1000\n";
        Assert.Equal("must be text (got 1000); put it in quotes", Assert.Single(Loading.Text(yaml).Diagnostics).Message);
    }

    [Fact]
    public void SeveralDocumentsPerFile_AndEmptyDocuments_AreRead()
    {
        var yaml = "---\n" + Loading.Cluster + "---\napiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: chk\nspec:\n  script: /bin/true\n---\n";
        var result = Loading.Text(yaml);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.Documents);
        Assert.Equal("chk", Assert.Single(result.State!.VrrpScripts).Name);
    }

    [Fact]
    public void BoundValues_AreTyped_WithDefaultsFilledIn()
    {
        var yaml = Loading.Cluster + """
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: web
            spec:
              address: 2001:db8::80
              port: 80
              scheduler: wrr
              forwarding: DR
              persistence: {timeout: 5m}
              realServers:
                - address: 2001:db8::21
                  weight: 3
                  healthCheck:
                    httpGet: {path: /health, statusCode: 204}
                    retry: 3
            """;
        var result = Loading.Text(yaml);
        Assert.Empty(result.Diagnostics);
        var web = Assert.Single(result.State!.VirtualServers).Spec;
        Assert.Equal((IpvsScheduler.Wrr, IpvsForwarding.Dr, IpvsProtocol.Tcp, IpFamily.IPv6), (web.Scheduler, web.Forwarding, web.Protocol, web.EffectiveFamily));
        Assert.Equal(TimeSpan.FromMinutes(5), web.Persistence!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(60), web.DelayLoop);
        var real = Assert.Single(web.RealServers);
        Assert.Equal((3, "/health", 204, 3, TimeSpan.FromSeconds(5)), (real.Weight, real.HealthCheck!.HttpGet!.Path, real.HealthCheck.HttpGet.StatusCode, real.HealthCheck.Retry, real.HealthCheck.ConnectTimeout));
        Assert.Equal("[2001:db8::80]:80/TCP", web.Endpoint);
    }

    [Fact]
    public void IpvsKnobs_AreBound_SchedulerFlagsOnePacketThresholds()
    {
        var result = Loading.Text(Loading.Cluster + """
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: dns
            spec:
              address: 198.51.100.100
              port: 53
              protocol: UDP
              scheduler: sh
              schedulerFlags: [port, fallback]
              onePacket: true
              realServers:
                - address: 198.51.100.21
                  upperThreshold: 100
                  lowerThreshold: 10
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics.Select(d => d.Message)));
        var spec = Assert.Single(result.State!.VirtualServers).Spec;
        Assert.Equal([Vigil.Core.Desired.SchedulerFlag.Port, Vigil.Core.Desired.SchedulerFlag.Fallback], spec.SchedulerFlags);
        Assert.True(spec.OnePacket);
        Assert.Equal((100, 10), (spec.RealServers[0].UpperThreshold, spec.RealServers[0].LowerThreshold));
    }

    [Fact]
    public void TheSameTextLoadedTwice_GivesEqualState()
    {
        var yaml = Loading.Cluster + "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: chk\nspec:\n  script: /bin/true\n";
        Assert.Equal(Loading.Text(yaml).State, Loading.Text(yaml, "elsewhere.yaml").State);
    }

    [Fact]
    public void AnchorsAndAliases_ShareValues_AsCopies()
    {
        var yaml = Loading.Cluster + """
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: web
            spec:
              address: 198.51.100.100
              port: 80
              realServers:
                - address: 198.51.100.21
                  healthCheck: &check
                    tcp: {}
                    retry: 3
                - address: 198.51.100.22
                  healthCheck: *check
            """;
        var result = Loading.Text(yaml);
        Assert.Empty(result.Diagnostics);
        var reals = Assert.Single(result.State!.VirtualServers).Spec.RealServers;
        Assert.Equal(3, reals[1].HealthCheck!.Retry);
        Assert.Equal(reals[0].HealthCheck, reals[1].HealthCheck);
    }

    [Fact]
    public void UnknownAlias_IsMalformedYaml_AtTheAlias()
    {
        var d = Assert.Single(Loading.Text("apiVersion: vigil/v1\nkind: *nothing\n").Diagnostics);
        Assert.Equal("test.yaml:2:7: error: malformed YAML: unknown alias *nothing [yaml]", d.ToString());
    }
}
