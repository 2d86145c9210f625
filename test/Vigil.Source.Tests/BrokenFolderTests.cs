namespace Vigil.Source.Tests;

/// <summary>TestData/broken holds one defect per document; each must give exactly one error, at its place.</summary>
public class BrokenFolderTests
{
    [Fact]
    public void EveryDefect_GivesOnePreciseError_AndNothingIsLoaded()
    {
        var result = Loading.Folder(Loading.TestData("broken"));

        Assert.Null(result.State);
        Assert.Equal(5, result.Files); // .git/ignored.yaml is not read
        Assert.Equal(
        [
            "instances.yaml:19:3: error: spec.virtualRouterID: unknown field 'virtualRouterID'; did you mean 'virtualRouterId'? [schema]",
            "instances.yaml:31:7: error: spec.members[0].priority: must be at most 255 (got 300) [schema]",
            "instances.yaml:38:3: error: spec.virtualRouterId: must be a whole number (got 'fifty-four') [schema]",
            "instances.yaml:51:7: error: spec.virtualAddresses[0].address: 198.51.100.100 is already claimed by VrrpInstance 'vi_1' (instances.yaml:12); a virtual address belongs to exactly one instance [vip-unique]",
            "instances.yaml:64:7: error: spec.trackScripts[0].name: tracks VrrpScript 'chk_missing', which no document defines [unknown-script]",
            "instances.yaml:72:3: error: spec.advertInterval: advertInterval 100ms is not possible with VRRPv2: whole seconds from 1s to 255s (use version 3 for sub-second adverts) [advert-interval]",
            "malformed.yaml:6:11: error: malformed YAML: the parser could not continue after this point (an unclosed '[' or '{'?) [yaml]",
            "team-b/duplicate.yaml:5:3: error: metadata.name: VrrpInstance 'vi_1' is already defined at instances.yaml:5 [duplicate-name]",
            "team-b/duplicate.yaml:14:1: error: kind: unknown kind 'VRRPInstance'; did you mean 'VrrpInstance'? (kinds: Cluster, VrrpInstance, SyncGroup, VrrpScript, VirtualServer, Policy) [schema]",
            "team-b/duplicate.yaml:25:3: error: spec.weight: must be at least -254 (got -300) [schema]",
            "team-b/duplicate.yaml:33:3: error: spec.interval: must be a duration with a unit, like 100ms, 1s or 5m (got 10) [schema]",
            "team-b/servers.yaml:8:3: error: spec.scheduler: 'roundrobin' is not one of: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh [schema]",
            "team-b/servers.yaml:18:7: error: spec.realServers[0].address: '203.0.113.300' is not an IP address (like 198.51.100.10 or 2001:db8::10) [value]",
        ], result.Diagnostics.Select(d => d.ToString().Replace('\\', '/')));
    }
}
