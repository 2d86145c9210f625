using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>One node's keepalived.conf (and what it includes) into a <see cref="NodeConf"/>: every keyword carried or reported.</summary>
public static class NodeReader
{
    public static NodeConf Read(string node, string file, ConfDocument document)
    {
        var conf = new NodeConf(node, file);
        foreach (var diagnostic in document.Diagnostics)
        {
            conf.Findings.Add(new ImportFinding(FindingKind.NotImported, "parse", diagnostic.Message, [diagnostic.Position]));
        }
        var vrrp = new VrrpReader(conf);
        var services = new VirtualServerReader(conf, vrrp.TrackFileNamed);
        // keepalived reads a track_file before the instances that use it wherever it is; so does the import.
        foreach (var s in document.Statements.Where(s => s.Keyword is "track_file" or "vrrp_track_file"))
        {
            vrrp.TrackFile(s);
        }
        foreach (var s in document.Statements.Where(s => s.Keyword == "vrrp_track_process"))
        {
            vrrp.TrackProcess(s);
        }
        // The SSL block serves every SSL_GET, wherever it stands.
        foreach (var s in document.Statements.Where(s => s.Keyword == "SSL"))
        {
            SslBlock(conf, s);
        }
        // keepalived finds a virtual server's group wherever it is defined.
        foreach (var s in document.Statements.Where(s => s.Keyword == "virtual_server_group"))
        {
            services.Groups.Read(s);
        }
        foreach (var s in document.Statements)
        {
            switch (s.Keyword)
            {
                case "global_defs":
                    GlobalDefs(conf, s);
                    break;
                case "vrrp_script":
                    vrrp.Script(s);
                    break;
                case "track_file" or "vrrp_track_file" or "virtual_server_group" or "vrrp_track_process":
                    break;
                case "vrrp_sync_group":
                    vrrp.SyncGroup(s);
                    break;
                case "vrrp_instance":
                    vrrp.Instance(s);
                    break;
                case "virtual_server":
                    services.VirtualServer(s);
                    break;
                case "static_ipaddress":
                    vrrp.StaticAddresses(s);
                    break;
                case "garp_group":
                    GarpGroup(conf, s);
                    break;
                case "SSL":
                    break;
                case "static_routes" or "static_rules":
                    var lines = new RouteLineReader(conf.Findings, s.Keyword);
                    foreach (var line in s.Block ?? [])
                    {
                        if ((s.Keyword == "static_routes" ? lines.Route(line) : lines.Rule(line)) is { } entry)
                        {
                            (s.Keyword == "static_routes" ? conf.StaticRoutes : conf.StaticRules).Add(entry);
                        }
                    }
                    break;
                default:
                    Unknowns.Report(conf.Findings, s, "the top level");
                    break;
            }
        }
        services.Groups.ReportUnused();
        foreach (var (list, what) in new[] { (conf.Scripts, "vrrp_script"), (conf.Instances, "vrrp_instance"), (conf.SyncGroups, "vrrp_sync_group"), (conf.VirtualServers, "virtual_server") })
        {
            Once(conf, list, what);
        }
        return conf;
    }

    /// <summary>A name (or a service's address) defined twice in one file: the first is kept, the others reported.</summary>
    private static void Once(NodeConf conf, List<ResourceDraft> drafts, string what)
    {
        foreach (var again in drafts.GroupBy(d => d.Name).SelectMany(g => g.Skip(1)).ToList())
        {
            var first = drafts.First(d => d.Name == again.Name);
            conf.Findings.Add(new ImportFinding(FindingKind.NotImported, what,
                $"{again.Name} is defined again: the first ({first.Position}) is kept", [again.Position]));
            drafts.Remove(again);
        }
    }

    /// <summary>
    /// keepalived's notify_fifo, vrrp_notify_fifo, lvs_notify_fifo (PATH [user [group]]) and their _script (COMMAND
    /// [user [group]]). Vigil has one user for both, the FIFO's owner and its script's: a script's other user is reported.
    /// </summary>
    private static void NotifyFifo(NodeConf conf, ConfValues values, ConfStatement s)
    {
        var script = s.Keyword.EndsWith("_script", StringComparison.Ordinal);
        var field = s.Keyword.Replace("_script", "", StringComparison.Ordinal) switch
        {
            "vrrp_notify_fifo" => "vrrpFifo",
            "lvs_notify_fifo" => "lvsFifo",
            _ => "fifo",
        };
        var prefix = $"notification.{field}.";
        if (!script)
        {
            if (s.Argument(0) is not { } path || !path.StartsWith('/'))
            {
                conf.Findings.NotImported(s, $"'{s.Argument(0)}' is not an absolute path");
                return;
            }
            conf.Cluster.Set(prefix + "path", path, s.Position);
            if (s.Argument(1) is { } owner) conf.Cluster.Set(prefix + "user", owner, s.Position);
            if (s.Argument(2) is { } group) conf.Cluster.Set(prefix + "group", group, s.Position);
            return;
        }
        if (values.Script(s) is not { } command) return;
        conf.Cluster.Set(prefix + "script", command.Command, s.Position);
        var fifoUser = conf.Cluster.Get(prefix + "user") as string;
        if (command.User is not null && command.User != fifoUser)
        {
            conf.Findings.NotImported(s, $"Vigil runs a FIFO's script as the FIFO's user ({fifoUser ?? "the agent's"}), not {command.User}: set {field}.user");
        }
    }

    /// <summary>keepalived's SSL block: the client certificate every SSL_GET presents (Vigil sets it per check).</summary>
    private static void SslBlock(NodeConf conf, ConfStatement block)
    {
        var map = new YamlMap();
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "certificate" or "key" when s.Argument(0) is { } path:
                    map.Set(s.Keyword, path);
                    break;
                case "password":
                    conf.Findings.NotImported(s, "Vigil reads a key's password from a file or an environment variable, never from git: set each sslGet's clientCertificate.password");
                    break;
                case "ca":
                    conf.Findings.NotImported(s, "a CA for the server's certificate is not in Vigil: verifyCertificate checks it against the node's CAs");
                    break;
                default:
                    Unknowns.Report(conf.Findings, s, "SSL");
                    break;
            }
        }
        if (map["certificate"] is null || map["key"] is null)
        {
            if (!map.IsEmpty) conf.Findings.NotImported(block, "a client certificate needs both certificate and key");
            return;
        }
        conf.ClientCertificate = map;
        conf.Findings.Translated(block, "the client certificate is written into each SSL_GET check (sslGet.clientCertificate)");
    }

    /// <summary>keepalived's garp_group: its interface or interfaces, paced together at its intervals.</summary>
    private static void GarpGroup(NodeConf conf, ConfStatement block)
    {
        var values = new ConfValues(conf.Findings);
        var interfaces = new List<object>();
        string? garp = null, gna = null;
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "garp_interval" when values.Duration(s) is { } interval:
                    garp = interval;
                    break;
                case "gna_interval" when values.Duration(s) is { } interval:
                    gna = interval;
                    break;
                case "interface" when s.Argument(0) is { } name:
                    interfaces.Add(name);
                    break;
                case "interfaces":
                    interfaces.AddRange((s.Block ?? []).SelectMany(i => i.Words));
                    break;
                case "garp_interval" or "gna_interval" or "interface":
                    break; // the value was reported
                default:
                    Unknowns.Report(conf.Findings, s, "garp_group");
                    break;
            }
        }
        if (interfaces.Count == 0)
        {
            conf.Findings.NotImported(block, "a garp_group without interface or interfaces paces nothing");
            return;
        }
        conf.Cluster.Add("garpGroups", new YamlMap().Set("interfaces", interfaces).Set("garpInterval", garp).Set("gnaInterval", gna), block.Position);
    }

    private static void GlobalDefs(NodeConf conf, ConfStatement block)
    {
        var values = new ConfValues(conf.Findings);
        var cluster = conf.Cluster;
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "router_id" when s.Argument(0) is { } id:
                    conf.RouterId = id;
                    conf.RouterIdAt = s.Position;
                    break;
                case "notification_email":
                    foreach (var to in s.Block ?? [])
                    {
                        foreach (var address in to.Words) cluster.Add("notification.email.to", address, to.Position);
                    }
                    break;
                case "notification_email_from" when s.Argument(0) is { } from:
                    cluster.Set("notification.email.from", from, s.Position);
                    break;
                case "smtp_server" when s.Argument(0) is { } host:
                    var port = s.Argument(1);
                    var server = port is null ? host : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
                    cluster.Set("notification.email.smtpServer", server, s.Position);
                    break;
                case "smtp_connect_timeout" when values.Duration(s) is { } timeout:
                    cluster.Set("notification.email.connectTimeout", timeout, s.Position);
                    break;
                case "script_user" when s.Argument(0) is { } user:
                    cluster.Set("scripts.user", user, s.Position);
                    if (s.Argument(1) is { } group) cluster.Set("scripts.group", group, s.Position);
                    break;
                case "enable_script_security":
                    conf.ScriptSecurity = true; // what Vigil always does when it runs as root
                    break;
                case "vrrp_version" when values.Integer(s, 0, 2, 3) is { } version:
                    cluster.Set("defaults.vrrpVersion", version, s.Position);
                    break;
                case "notify_fifo" or "vrrp_notify_fifo" or "lvs_notify_fifo" or "notify_fifo_script" or "vrrp_notify_fifo_script" or "lvs_notify_fifo_script":
                    NotifyFifo(conf, values, s);
                    break;
                case "vrrp_skip_check_adv_addr":
                    cluster.Set("defaults.verifyAddressLists", false, s.Position);
                    break;
                case "vrrp_strict":
                    cluster.Set("defaults.strict", true, s.Position);
                    break;
                case "vrrp_iptables" or "vrrp_ipsets" or "vrrp_nftables" or "nftables" or "nftables_priority" or "nftables_counters" or "nftables_ifindex":
                    conf.Findings.Translated(s, "Vigil enforces accept mode off with nftables tables of its own, ip vigil and ip6 vigil (input and output at priority -1)");
                    break;
                case "vrrp_garp_interval" or "vrrp_gna_interval" when values.Duration(s) is { } interval:
                    cluster.Set(s.Keyword == "vrrp_garp_interval" ? "defaults.garpInterval" : "defaults.gnaInterval", interval, s.Position);
                    break;
                case "vrrp_garp_interval" or "vrrp_gna_interval":
                    break; // the value was reported
                case var keyword when keyword.StartsWith("vrrp_garp_", StringComparison.Ordinal) || keyword == "vrrp_min_garp":
                    if (!VrrpReader.GlobalGarp(conf, values, s)) Unknowns.Report(conf.Findings, s, "global_defs");
                    break;
                case "lvs_id":
                    conf.Findings.Translated(s, "keepalived 2 ignores lvs_id, and so does Vigil");
                    break;
                case "router_id" or "smtp_connect_timeout" or "vrrp_version":
                    break; // the value was reported
                default:
                    Unknowns.Report(conf.Findings, s, "global_defs");
                    break;
            }
        }
    }
}
