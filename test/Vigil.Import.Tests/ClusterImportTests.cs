using Vigil.Import.KeepalivedConf;
using Vigil.Import.Merging;

namespace Vigil.Import.Tests;

/// <summary>The import's translations, each on a small configuration given as plain values.</summary>
public class ClusterImportTests
{
    private static ImportResult Import(string ka1, string? ka2 = null, ImportOptions? options = null)
    {
        var files = new Dictionary<string, string> { ["/k/ka1.conf"] = ka1 };
        List<NodeFile> nodes = [new("ka1", "/k/ka1.conf")];
        if (ka2 is not null)
        {
            files["/k/ka2.conf"] = ka2;
            nodes.Add(new("ka2", "/k/ka2.conf"));
        }
        return ClusterImport.Run(new MemoryConfFiles(files), nodes, options ?? new ImportOptions());
    }

    private static string Instance(string name = "VI_1", int priority = 100, string extra = "", int vrid = 51) => $$"""
        vrrp_instance {{name}} {
            interface eth0
            virtual_router_id {{vrid}}
            priority {{priority}}
            virtual_ipaddress {
                198.51.100.100/24
            }
        {{extra}}
        }
        """;

    [Fact]
    public void APair_BecomesOneInstance_WithBothMembers()
    {
        var result = Import(Instance(priority: 100), Instance(priority: 90));
        Assert.Empty(result.Errors);
        Assert.Contains("  members:\n    - node: ka1\n      priority: 100\n    - node: ka2\n      priority: 90\n", result.Files["vrrp-instances.yaml"], StringComparison.Ordinal);
        Assert.False(result.NeedsAttention);
    }

    [Fact]
    public void InstancesNamedDifferently_OnOneVrid_AreOneInstance()
    {
        var result = Import(Instance("VI_1"), Instance("VI_WEB", priority: 90));
        var instances = result.Files["vrrp-instances.yaml"];
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(instances, "kind: VrrpInstance"));
        Assert.Contains("  name: VI_1\n", instances, StringComparison.Ordinal);
        Assert.Contains("    - node: ka2\n      priority: 90\n", instances, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Message == "ka2's VI_WEB is on VRID 51 like ka1's VI_1: one instance, named VI_1");
    }

    [Fact]
    public void Disagreements_NameBothFiles_AndNeverAPassword()
    {
        static string Auth(string password, int interval) => $"authentication {{\nauth_type PASS\nauth_pass {password}\n}}\nadvert_int {interval}";
        var result = Import(Instance(extra: Auth("s3cr3t1", 1)), Instance(priority: 90, extra: Auth("s3cr3t2", 2)));
        var disagreements = result.Findings.Where(f => f.Kind == FindingKind.Disagreement).Select(f => f.ToString()).ToList();
        Assert.Equal(2, disagreements.Count);
        Assert.Contains("/k/ka1.conf:12, /k/ka2.conf:12: advertInterval: vrrp_instance VI_1: ka1 says 1s, ka2 says 2s; ka1's is written", disagreements);
        Assert.Contains("/k/ka1.conf:10, /k/ka2.conf:10: authentication.password: vrrp_instance VI_1: ka1 says a password, ka2 says a password (not the same); ka1's is written", disagreements);
        Assert.DoesNotContain("s3cr3t", string.Join('\n', disagreements) + result.Files["IMPORT.md"], StringComparison.Ordinal);
        Assert.True(result.NeedsAttention);
    }

    [Fact]
    public void ASyncGroupWithoutTrackingWeight_TracksAsKeepalivedDoes()
    {
        const string conf = """
            vrrp_script chk { script "/bin/true"
            weight -20
            }
            track_file maint { file /etc/maint }
            vrrp_sync_group G { group { VI_1 VI_2 } }
            """;
        var tracks = "track_interface {\neth1 weight -30\n}\ntrack_script {\nchk\n}\ntrack_file {\nmaint\n}";
        var result = Import(conf + Instance(extra: tracks) + Instance("VI_2", vrid: 52));
        var instances = result.Files["vrrp-instances.yaml"];
        Assert.Contains("  trackInterfaces:\n    - name: eth1\n      weight: 0\n", instances, StringComparison.Ordinal);
        Assert.DoesNotContain("trackScripts", instances, StringComparison.Ordinal);
        Assert.Contains("  trackFiles:\n    - file: /etc/maint\n      weight: 0\n", instances, StringComparison.Ordinal);
        Assert.False(result.Files.ContainsKey("vrrp-scripts.yaml")); // tracked by nobody now: keepalived does not run it
        Assert.Contains(result.Findings, f => f.Message.Contains("keepalived does not track chk (weight -20)", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckSource_IsTheChecks_AndAPortWithoutAnAddressIsReported()
    {
        const string conf = """
            virtual_server 198.51.100.100 80 {
                protocol TCP
                real_server 198.51.100.21 80 {
                    HTTP_GET {
                        url {
                            path /
                        }
                        bindto 198.51.100.11
                        bind_port 40080
                        bind_if eth0
                    }
                    PING_CHECK {
                        bind_port 40081
                    }
                }
            }
            """;
        var result = Import(Instance() + "\n" + conf);
        var service = result.Files["virtual-servers/tcp-198-51-100-100-80.yaml"];
        Assert.Contains("          bindAddress: 198.51.100.11\n          bindPort: 40080\n          bindInterface: eth0\n", service, StringComparison.Ordinal);
        Assert.DoesNotContain("40081", service, StringComparison.Ordinal);
        var port = Assert.Single(result.Findings, f => f.Keyword == "bind_port");
        Assert.Equal(FindingKind.NotImported, port.Kind);
    }

    [Fact]
    public void KeepalivedsCorrections_AreWrittenOut()
    {
        const string conf = """
            virtual_server fwmark 7 {
                lb_kind DR
                real_server 198.51.100.21 80 {
                    MISC_CHECK {
                        misc_path "/bin/true"
                    }
                }
            }
            virtual_server 198.51.100.100 53 {
                real_server 198.51.100.22 53 {
                    DNS_CHECK {
                        name example.org
                    }
                }
            }
            """;
        var result = Import(Instance(extra: "advert_int 0.4") + conf);
        Assert.Contains("  advertInterval: 1s\n", result.Files["vrrp-instances.yaml"], StringComparison.Ordinal);
        var fwmark = result.Files["virtual-servers/fwmark-7.yaml"];
        Assert.Contains("    - address: 198.51.100.21\n      healthCheck:\n        misc:\n          script: /bin/true\n        retry: 0\n", fwmark, StringComparison.Ordinal);
        var dns = result.Files["virtual-servers/udp-198-51-100-100-53.yaml"];
        Assert.Contains("  protocol: UDP\n", dns, StringComparison.Ordinal);
        Assert.Contains("        retry: 3\n        delayBeforeRetry: 1m\n", dns, StringComparison.Ordinal);
        Assert.Equal(
            ["advert_int", "delay_before_retry", "enable_script_security", "protocol", "real_server", "retry", "retry", "script_user"],
            result.Findings.Where(f => f.Kind is FindingKind.DefaultWritten or FindingKind.Translated && f.Keyword != "garp_lower_prio_delay").Select(f => f.Keyword).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// keepalived copies global_defs' GARP defaults into each instance (vrrp_min_garp: one announcement, no second burst,
    /// unless set); the lower-priority repeat falls back to the global repeat; an instance's own keyword wins.
    /// </summary>
    [Fact]
    public void GlobalGarpDefaults_AreWrittenIntoEachInstance_UnlessItSetsItsOwn()
    {
        var result = Import("global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_min_garp\n  vrrp_garp_interval 0.002\n}\n" +
            "garp_group {\n  gna_interval 0.01\n  interface eth1\n}\n" + Instance(extra: "garp_master_delay 2"));
        Assert.False(result.NeedsAttention);
        var instance = result.Files["vrrp-instances.yaml"];
        Assert.Contains("garp:\n    delay: 2s\n    repeat: 3\n    lowerPriorityRepeat: 3\n", instance, StringComparison.Ordinal);
        var cluster = result.Files["cluster.yaml"];
        Assert.Contains("defaults:\n    garpInterval: 2ms\n", cluster, StringComparison.Ordinal);
        Assert.Contains("garpGroups:\n    - interfaces: [eth1]\n      gnaInterval: 10ms\n", cluster, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Keyword == "vrrp_min_garp" && f.Kind == FindingKind.Translated);
    }

    [Fact]
    public void TrackProcess_IsCopiedIntoEachInstance_WithTheInstancesWeight()
    {
        var result = Import("vrrp_track_process lb {\n  process \"/usr/sbin/haproxy\" -f \"/etc/haproxy/haproxy.cfg\"\n  param_match partial\n" +
            "  delay 1.5\n  quorum_max 0\n  weight -30 reverse\n}\n" +
            Instance(extra: "track_process {\n  lb\n}") + "\n" + Instance("VI_2", vrid: 52, extra: "track_process {\n  lb weight 40 noreverse\n  missing\n}"));
        var instances = result.Files["vrrp-instances.yaml"];
        const string Track = "  trackProcesses:\n    - process: /usr/sbin/haproxy\n      arguments: [\"-f\", /etc/haproxy/haproxy.cfg]\n      argumentMatch: partial\n" +
            "      forkDelay: 1.5s\n      terminateDelay: 1.5s\n      quorumMax: 0\n      quorum: 0\n";
        Assert.Contains(Track + "      weight: -30\n      reverse: true\n", instances, StringComparison.Ordinal);
        Assert.Contains(Track + "      weight: 40\n", instances, StringComparison.Ordinal);
        var missing = Assert.Single(result.Findings, f => f.Kind == FindingKind.NotImported);
        Assert.Equal("/k/ka1.conf:28: missing: no vrrp_track_process missing is defined", missing.ToString());
    }

    [Fact]
    public void WhatVigilLacks_IsReportedWithFileAndLine_AndExitsForAttention()
    {
        var result = Import("global_defs {\n  linkbeat_use_polling\n  no_such_keyword 1\n}\n" + Instance(extra: "virtual_routes {\n203.0.113.0/24 via 198.51.100.1 onlink\n}"));
        var lacking = result.Findings.Where(f => f.Kind == FindingKind.NotImported).Select(f => f.ToString()).ToList();
        Assert.Equal(
        [
            "/k/ka1.conf:2: linkbeat_use_polling: Vigil follows links through netlink only",
            "/k/ka1.conf:3: no_such_keyword: no Vigil field for 'no_such_keyword' in global_defs",
            "/k/ka1.conf:13: virtual_routes: 203.0.113.0/24 via 198.51.100.1 onlink: 'onlink' on a route is not in Vigil (it has to, via, dev, src, scope, table, metric and the route type)",
        ], lacking);
        Assert.True(result.NeedsAttention);
        Assert.Contains("## Not carried over (3)", result.Files["IMPORT.md"], StringComparison.Ordinal);
    }

    /// <summary>A migration: a third keepalived router not imported is every node's peer, so it is written as an external peer.</summary>
    [Fact]
    public void UnicastPeerOfNoImportedNode_IsAnExternalPeer()
    {
        var result = Import(Instance(extra: "unicast_src_ip 198.51.100.11\nunicast_peer {\n198.51.100.12\n198.51.100.13\n}"),
            Instance(priority: 90, extra: "unicast_src_ip 198.51.100.12\nunicast_peer {\n198.51.100.11\n198.51.100.13\n}"));

        Assert.Empty(result.Errors);
        Assert.Contains("  externalPeers: [198.51.100.13]\n", result.Files["vrrp-instances.yaml"], StringComparison.Ordinal);
        var said = Assert.Single(result.Findings, f => f.Keyword == "unicast_peer");
        Assert.Equal(FindingKind.Translated, said.Kind);
    }

    [Fact]
    public void UnicastWithoutAnAddress_IsAnError_AndNothingIsWritten()
    {
        var result = Import(Instance(extra: "unicast_peer {\n198.51.100.12\n}"), Instance(priority: 90, extra: "unicast_src_ip 198.51.100.12\nunicast_peer {\n198.51.100.11\n}"));
        Assert.Empty(result.Files);
        Assert.Equal("/k/ka1.conf:1: vrrp_instance VI_1 is unicast, and ka1's address on eth0 is not known: add unicast_src_ip, or --address ka1:eth0=ADDR/LEN", Assert.Single(result.Errors));
        var given = Import(Instance(extra: "unicast_peer {\n198.51.100.12\n}"), Instance(priority: 90, extra: "unicast_src_ip 198.51.100.12\nunicast_peer {\n198.51.100.11\n}"),
            new ImportOptions { Addresses = [new NodeAddress("ka1", "eth0", "198.51.100.11/24")] });
        Assert.Empty(given.Errors);
        Assert.Contains("    - name: ka1\n      interfaces:\n        - name: eth0\n          addresses: [198.51.100.11/24]\n", given.Files["cluster.yaml"], StringComparison.Ordinal);
    }

    [Fact]
    public void ARename_NeverTakesAnotherInstancesName_AndADuplicateIsReported()
    {
        // Found by fuzzing: "VI#X" would be renamed to VI_1's name... with the bytes keepalived allows in a name.
        var result = Import(Instance("VI\u00e91", vrid: 52) + Instance("VI-1") + Instance("VI-1", vrid: 53));
        var instances = result.Files["vrrp-instances.yaml"];
        Assert.Contains("  name: VI-1\n", instances, StringComparison.Ordinal);
        Assert.Contains("  name: VI-1-2\n", instances, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Message.StartsWith("VI-1 is defined again: the first (/k/ka1.conf:9) is kept", StringComparison.Ordinal));
    }

    [Fact]
    public void ANameVigilCannotTake_IsRenamed_WithItsReferences()
    {
        var result = Import("vrrp_script chk:nginx { script /bin/true\n}\n" + Instance(extra: "track_script {\nchk:nginx\n}"));
        Assert.Contains("  name: chk-nginx\n", result.Files["vrrp-scripts.yaml"], StringComparison.Ordinal);
        Assert.Contains("  trackScripts:\n    - name: chk-nginx\n", result.Files["vrrp-instances.yaml"], StringComparison.Ordinal);
    }
}
