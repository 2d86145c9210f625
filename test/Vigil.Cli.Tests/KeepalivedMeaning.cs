using System.Globalization;
using System.Net;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Cli.Tests;

/// <summary>
/// What a keepalived.conf means to keepalived 2.2.7, as facts ("instance VI_1: priority 100"), with keepalived's own
/// defaults filled in, so that two files that say the same thing differently give the same facts. The import round
/// trip compares an original with the configuration Vigil renders from the imported folder.
/// </summary>
internal static class KeepalivedMeaning
{
    /// <summary>The top-level blocks an instance names: vrrp_script, track_file, vrrp_track_process.</summary>
    private sealed record Blocks(Dictionary<string, ConfStatement> Scripts, Dictionary<string, ConfStatement> Files, Dictionary<string, ConfStatement> Processes);

    public static SortedSet<string> Of(ConfDocument document)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        var all = document.Statements;
        var scripts = all.Where(s => s.Keyword == "vrrp_script").ToDictionary(s => s.Argument(0)!, s => s);
        var files = all.Where(s => s.Keyword is "track_file" or "vrrp_track_file").ToDictionary(s => s.Argument(0)!, s => s);
        var processes = all.Where(s => s.Keyword == "vrrp_track_process").ToDictionary(s => s.Argument(0)!, s => s);
        var global = all.FirstOrDefault(s => s.Keyword == "global_defs");
        var globalVersion = Value(global, "vrrp_version") ?? "2";
        Global(global, RunsScripts(all), facts);
        foreach (var address in all.FirstOrDefault(s => s.Keyword == "static_ipaddress")?.Block ?? [])
        {
            facts.Add($"node: static address {Address(address.Words[0])} {string.Join(' ', address.Words.Skip(1))}".TrimEnd());
        }
        KeepalivedRoutingMeaning.Add(all.FirstOrDefault(s => s.Keyword == "static_routes"), "node", facts);
        KeepalivedRoutingMeaning.Add(all.FirstOrDefault(s => s.Keyword == "static_rules"), "node", facts);
        var grouped = new Dictionary<string, bool>(StringComparer.Ordinal); // instance → its group applies weights
        foreach (var group in all.Where(s => s.Keyword == "vrrp_sync_group"))
        {
            var name = $"sync group {group.Argument(0)}";
            var weights = group.Children("sync_group_tracking_weight").Any();
            foreach (var member in group.Children("group").SelectMany(g => g.Block ?? []).SelectMany(m => m.Words))
            {
                facts.Add($"{name}: has {member}");
                grouped[member] = weights;
            }
            Notify(group, name, facts);
        }
        var garp = GarpDefaults.Of(global);
        foreach (var group in all.Where(s => s.Keyword == "garp_group"))
        {
            var interfaces = string.Join(' ', group.Children("interface").Select(i => i.Argument(0)).Concat(group.Children("interfaces").SelectMany(i => i.Block ?? []).SelectMany(i => i.Words)));
            facts.Add($"garp group {interfaces}: garp {Seconds(Value(group, "garp_interval") ?? "0")} gna {Seconds(Value(group, "gna_interval") ?? "0")}");
        }
        foreach (var instance in all.Where(s => s.Keyword == "vrrp_instance"))
        {
            Instance(instance, globalVersion, Child(global, "vrrp_strict") is not null, garp, new Blocks(scripts, files, processes), grouped.TryGetValue(instance.Argument(0)!, out var weights) ? weights : null, facts);
        }
        foreach (var script in scripts.Values.Where(s => facts.Any(f => f.Contains($": tracks script {s.Argument(0)} ", StringComparison.Ordinal))))
        {
            var name = $"vrrp_script {script.Argument(0)}";
            facts.Add($"{name}: {Argv(Child(script, "script"))}");
            var interval = Seconds(Value(script, "interval") ?? "1");
            facts.Add($"{name}: interval {interval}");
            facts.Add($"{name}: timeout {Seconds(Value(script, "timeout") ?? interval)}");
            facts.Add($"{name}: fall {Value(script, "fall") ?? "1"} rise {Value(script, "rise") ?? "1"}");
            facts.Add($"{name}: user {string.Join(' ', Child(script, "user")?.Arguments ?? ["-"])}");
        }
        if (all.FirstOrDefault(s => s.Keyword == "SSL") is { } ssl)
        {
            facts.Add($"global: SSL client certificate {Value(ssl, "certificate")} key {Value(ssl, "key")}");
        }
        var groups = all.Where(s => s.Keyword == "virtual_server_group").ToDictionary(s => s.Argument(0)!, s => s);
        foreach (var service in all.Where(s => s.Keyword == "virtual_server"))
        {
            VirtualServer(service, groups, files, facts);
        }
        return facts;
    }

    /// <param name="runsScripts">Whether any script runs: keepalived's script_user means nothing otherwise.</param>
    private static void Global(ConfStatement? global, bool runsScripts, SortedSet<string> facts)
    {
        facts.Add($"global: router_id {Value(global, "router_id") ?? "-"}");
        facts.Add($"global: garp interval {Seconds(Value(global, "vrrp_garp_interval") ?? "0")} gna interval {Seconds(Value(global, "vrrp_gna_interval") ?? "0")}");
        foreach (var to in Child(global, "notification_email")?.Block?.SelectMany(s => s.Words) ?? [])
        {
            facts.Add($"global: email to {to}");
        }
        if (Child(global, "smtp_server") is { } smtp)
        {
            facts.Add($"global: smtp {smtp.Argument(0)} port {smtp.Argument(1) ?? "25"} from {Value(global, "notification_email_from")} timeout {Seconds(Value(global, "smtp_connect_timeout") ?? "30")}");
        }
        foreach (var fifo in new[] { "notify_fifo", "vrrp_notify_fifo", "lvs_notify_fifo" })
        {
            if (Child(global, fifo) is { } path)
            {
                var script = Child(global, fifo + "_script");
                facts.Add($"global: {fifo} {string.Join(' ', path.Arguments)} read by {(script is null ? "-" : Argv(script))} as {string.Join(' ', script?.Arguments.Skip(1).DefaultIfEmpty("-") ?? ["-"])}");
            }
        }
        if (runsScripts)
        {
            facts.Add($"global: script_user {string.Join(' ', Child(global, "script_user")?.Arguments ?? ["root"])}");
        }
    }

    /// <summary>
    /// global_defs' GARP defaults as keepalived applies them to each instance: vrrp_min_garp means one announcement and no
    /// second burst unless the file says otherwise; the lower-priority repeat falls back to the (global) repeat.
    /// </summary>
    private sealed record GarpDefaults(string Delay, string Repeat, string Refresh, string RefreshRepeat, string LowerRepeat)
    {
        public static GarpDefaults Of(ConfStatement? global)
        {
            var min = Child(global, "vrrp_min_garp") is { } m && m.Argument(0) is not ("false" or "off" or "no");
            var repeat = Value(global, "vrrp_garp_master_repeat") ?? (min ? "1" : "5");
            return new(Value(global, "vrrp_garp_master_delay") ?? (min ? "0" : "5"), repeat, Value(global, "vrrp_garp_master_refresh") ?? "0",
                Value(global, "vrrp_garp_master_refresh_repeat") ?? "1", Value(global, "vrrp_garp_lower_prio_repeat") ?? repeat);
        }
    }

    /// <param name="strict">vrrp_strict: keepalived then sets lower_prio_no_advert, garp_lower_prio_repeat 0 and no_accept (but for the owner).</param>
    private static void Instance(ConfStatement instance, string globalVersion, bool strict, GarpDefaults garp, Blocks named,
        bool? groupWeights, SortedSet<string> facts)
    {
        var (scripts, files, processes) = named;
        var name = $"instance {instance.Argument(0)}";
        var version = Value(instance, "version") ?? globalVersion;
        var advert = decimal.Parse(Value(instance, "advert_int") ?? "1", CultureInfo.InvariantCulture);
        if (version == "2")
        {
            advert = Math.Max(1, Math.Floor(advert + 0.5m)); // keepalived rounds a VRRPv2 interval to whole seconds
        }
        facts.Add($"{name}: interface {Value(instance, "interface")} vrid {Value(instance, "virtual_router_id")} version {version} advert {advert.ToString("0.###", CultureInfo.InvariantCulture)}");
        facts.Add($"{name}: priority {Value(instance, "priority") ?? "100"}");
        facts.Add($"{name}: preempt {(Child(instance, "nopreempt") is null ? "yes" : "no")} delay {Seconds(Value(instance, "preempt_delay") ?? "0")}");
        facts.Add($"{name}: lower priority answered {(Child(instance, "lower_prio_no_advert") is null && !strict ? "yes" : "no")}");
        var owner = Value(instance, "priority") == "255";
        facts.Add($"{name}: accept {(owner || Child(instance, "accept") is not null || (Child(instance, "no_accept") is null && !strict) ? "yes" : "no")}");
        if (Child(instance, "authentication") is { } auth)
        {
            facts.Add($"{name}: auth {Value(auth, "auth_type")} {Value(auth, "auth_pass")}");
        }
        foreach (var peer in Child(instance, "unicast_peer")?.Block ?? [])
        {
            facts.Add($"{name}: unicast peer {peer.Words[0]}");
        }
        if (Value(instance, "unicast_src_ip") is { } source)
        {
            facts.Add($"{name}: unicast source {source}");
        }
        if (Child(instance, "unicast_peer") is not null)
        {
            facts.Add($"{name}: unicast ttl {Value(instance, "unicast_ttl") ?? "default"}");
        }
        foreach (var list in new[] { "virtual_ipaddress", "virtual_ipaddress_excluded" })
        {
            foreach (var vip in Child(instance, list)?.Block ?? [])
            {
                facts.Add($"{name}: {list} {Address(vip.Words[0])} {string.Join(' ', vip.Words.Skip(1))}".TrimEnd());
            }
        }
        // keepalived ignores tracking weights in a sync group that does not ask for them.
        string Weight(string? weight) => groupWeights == false ? "0" : weight ?? "0";
        foreach (var track in Child(instance, "track_interface")?.Block ?? [])
        {
            facts.Add($"{name}: tracks interface {track.Words[0]} weight {Weight(track.Argument(0) == "weight" ? track.Argument(1) : null)}");
        }
        foreach (var track in Child(instance, "track_script")?.Block ?? [])
        {
            var own = scripts.TryGetValue(track.Words[0], out var script) ? Value(script, "weight") : null;
            var weight = track.Argument(0) == "weight" ? track.Argument(1) : own ?? "0";
            if (groupWeights == false && weight != "0")
            {
                continue; // keepalived does not track a weighted script there at all
            }
            facts.Add($"{name}: tracks script {track.Words[0]} weight {weight}");
        }
        foreach (var track in (Child(instance, "track_file") ?? Child(instance, "vrrp_track_file"))?.Block ?? [])
        {
            var file = files.TryGetValue(track.Words[0], out var block) ? block : null;
            var weight = track.Argument(0) == "weight" ? track.Argument(1) : Value(file, "weight") ?? "1";
            if (groupWeights == false && weight is not ("0" or "1"))
            {
                continue; // nor a track file of a weight but the default
            }
            facts.Add($"{name}: tracks file {Value(file, "file")} weight {Weight(weight)}{(track.Words.Contains("reverse") ? " reverse" : "")}");
        }
        foreach (var track in Child(instance, "track_process")?.Block ?? [])
        {
            facts.Add($"{name}: tracks process {TrackedProcess(processes.GetValueOrDefault(track.Words[0]), track)}");
        }
        KeepalivedRoutingMeaning.Add(Child(instance, "virtual_routes"), name, facts);
        KeepalivedRoutingMeaning.Add(Child(instance, "virtual_rules"), name, facts);
        Notify(instance, name, facts);
        // A refresh of 0 sends none, whatever its repeat.
        var refresh = Seconds(Value(instance, "garp_master_refresh") ?? garp.Refresh);
        facts.Add($"{name}: garp delay {Seconds(Value(instance, "garp_master_delay") ?? garp.Delay)} repeat {Value(instance, "garp_master_repeat") ?? garp.Repeat} " +
            $"refresh {refresh}{(refresh == "0" ? "" : $" x{Value(instance, "garp_master_refresh_repeat") ?? garp.RefreshRepeat}")} lower priority x{Value(instance, "garp_lower_prio_repeat") ?? (strict ? "0" : garp.LowerRepeat)}");
        facts.Add($"{name}: vmac {(Child(instance, "use_vmac") is null ? "no" : "yes")}");
    }

    /// <summary>
    /// keepalived 2.2.7's vrrp_track_process (vrrp_parser.c): arguments or param_match (alone: exact) read the command
    /// line; quorum 1 and no quorum_max unless set, quorum_max 0 making quorum 0; delay sets both delays; the instance's
    /// weight (and reverse, only after a weight) else the block's.
    /// </summary>
    private static string TrackedProcess(ConfStatement? block, ConfStatement use)
    {
        var process = Child(block!, "process")!;
        var match = Child(block!, "param_match") is { } m ? m.Argument(0) ?? "exact" : process.Arguments.Count > 1 ? "exact" : "none";
        var full = match != "none" || Child(block!, "full_command") is not null;
        var max = Value(block, "quorum_max");
        var quorum = max == "0" ? "0" : Value(block, "quorum") ?? "1";
        var fork = Value(block, "fork_delay") ?? Value(block, "delay") ?? "0";
        var terminate = Value(block, "terminate_delay") ?? Value(block, "delay") ?? "0";
        var weight = Child(block!, "weight");
        var (w, reverse) = use.Argument(0) == "weight"
            ? (use.Argument(1), use.Argument(2) is { } option ? option == "reverse" : weight?.Argument(1) == "reverse")
            : (weight?.Argument(0) ?? "0", weight?.Argument(1) == "reverse");
        return $"[{string.Join("] [", process.Arguments)}] match {match} full {full} quorum {quorum}..{max ?? "any"} " +
            $"delays {Seconds(fork)}/{Seconds(terminate)} weight {w}{(reverse ? " reverse" : "")}";
    }

    private static void Notify(ConfStatement block, string name, SortedSet<string> facts)
    {
        foreach (var keyword in new[] { "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" })
        {
            if (Child(block, keyword) is { } hook)
            {
                facts.Add($"{name}: {keyword} {Argv(hook)} as {string.Join(' ', ConfWords.Escaped(hook.Text, out _)!.Skip(2).DefaultIfEmpty("-"))}");
            }
        }
        if (Child(block, "smtp_alert") is not null)
        {
            facts.Add($"{name}: smtp_alert");
        }
    }

    private static void VirtualServer(ConfStatement service, Dictionary<string, ConfStatement> groups, Dictionary<string, ConfStatement> files, SortedSet<string> facts)
    {
        var fwmark = service.Argument(0) == "fwmark";
        var kind = Value(service, "lb_kind") ?? Value(service, "lvs_method") ?? "NAT";
        var protocol = fwmark ? "-" : Value(service, "protocol") ?? "UDP";
        var name = fwmark ? $"service fwmark {service.Argument(1)} {Value(service, "ip_family") ?? "inet"}" : $"service {protocol} {service.Argument(0)}:{service.Argument(1)}";
        // A group's services, one address or mark at a time; its real servers keep the member's port under DR and TUN
        // (keepalived writes it over theirs), and under NAT have their own or, without one, each service's.
        string? groupPort = null;
        if (service.Argument(0) == "group")
        {
            name = $"service group {service.Argument(1)} {protocol}";
            var members = KeepalivedGroupMeaning.Services(groups[service.Argument(1)!]);
            foreach (var member in members) facts.Add($"{name}: serves {member.Service}");
            groupPort = kind != "NAT" ? "member" : members.Where(m => m.Port is not null).Select(m => m.Port).Distinct().Count() == 1
                ? members.First(m => m.Port is not null).Port : "member";
        }
        var delayLoop = Seconds(Value(service, "delay_loop") ?? "60");
        facts.Add($"{name}: delay_loop {delayLoop} lb_algo {Value(service, "lb_algo") ?? Value(service, "lvs_sched") ?? "wlc"} lb_kind {kind}");
        facts.Add($"{name}: flags {string.Join(' ', (service.Block ?? []).Where(s => s.Keyword is "ops" or "alpha" or "omega" or "smtp_alert" || s.Keyword.Contains("-port", StringComparison.Ordinal) || s.Keyword.Contains("-fallback", StringComparison.Ordinal)).Select(s => s.Keyword).Order(StringComparer.Ordinal))}");
        if (Child(service, "persistence_timeout") is { } persistence)
        {
            facts.Add($"{name}: persistence {persistence.Argument(0) ?? "360"} granularity {Value(service, "persistence_granularity") ?? "-"}");
        }
        facts.Add($"{name}: quorum {Value(service, "quorum") ?? "1"} hysteresis {Value(service, "hysteresis") ?? "0"}");
        if (Child(service, "sorry_server") is { } sorry)
        {
            facts.Add($"{name}: sorry server {sorry.Argument(0)}:{(fwmark && kind != "NAT" ? "0" : sorry.Argument(1) ?? service.Argument(1))}");
        }
        foreach (var keyword in new[] { "quorum_up", "quorum_down" })
        {
            if (Child(service, keyword) is { } hook) facts.Add($"{name}: {keyword} {Argv(hook)}");
        }
        var inherited = (Retry: Value(service, "retry"), Delay: Value(service, "delay_before_retry"), Timeout: Value(service, "connect_timeout"));
        foreach (var real in service.Children("real_server"))
        {
            var port = groupPort == "member" && kind != "NAT" ? "member"
                : fwmark && kind != "NAT" ? "0" : real.Argument(1) ?? groupPort ?? (fwmark ? "0" : service.Argument(1)!);
            var rs = $"{name}: real server {real.Argument(0)}:{port}";
            facts.Add($"{rs} weight {Value(real, "weight") ?? "1"}{(Child(real, "inhibit_on_failure") is null ? "" : " inhibit")} thresholds {Value(real, "uthreshold") ?? "0"}/{Value(real, "lthreshold") ?? "0"}");
            foreach (var keyword in new[] { "notify_up", "notify_down" })
            {
                if (Child(real, keyword) is { } hook) facts.Add($"{rs} {keyword} {Argv(hook)}");
            }
            var fromServer = (Retry: Value(real, "retry") ?? inherited.Retry, Delay: Value(real, "delay_before_retry") ?? inherited.Delay, Timeout: Value(real, "connect_timeout") ?? inherited.Timeout);
            foreach (var check in (real.Block ?? []).Where(s => s.Keyword.EndsWith("_CHECK", StringComparison.Ordinal) || s.Keyword.EndsWith("_GET", StringComparison.Ordinal)))
            {
                if (check.Keyword == "FILE_CHECK")
                {
                    // keepalived's track_file by name: its file, the checker's weight else the track_file's (1).
                    var file = files.GetValueOrDefault(Value(check, "track_file") ?? "");
                    var weight = Child(check, "weight");
                    facts.Add($"{rs} FILE_CHECK: {Value(file, "file")} weight {weight?.Argument(0) ?? Value(file, "weight") ?? "1"}{(weight?.Argument(1) == "reverse" ? " reverse" : "")}");
                    continue;
                }
                foreach (var one in Hosts(check))
                {
                    Check(one, $"{rs} {check.Keyword}", port, delayLoop, fromServer, Value(service, "virtualhost"), facts);
                }
            }
        }
    }

    /// <summary>
    /// keepalived 2.2.7's SMTP_CHECK host blocks (check_smtp.c): each host is checked, with the checker's own settings
    /// and the host's connect_ip and connect_port; the checker is a host too when it sets either itself.
    /// </summary>
    private static IEnumerable<ConfStatement> Hosts(ConfStatement check)
    {
        var hosts = check.Keyword == "SMTP_CHECK" ? check.Children("host").ToList() : [];
        var own = (check.Block ?? []).Where(s => s.Keyword != "host").ToList();
        if (hosts.Count == 0 || own.Any(s => s.Keyword is "connect_ip" or "connect_port"))
        {
            yield return check with { Block = own };
        }
        foreach (var host in hosts)
        {
            yield return check with { Block = [.. own.Where(s => s.Keyword is not ("connect_ip" or "connect_port")), .. host.Block ?? []] };
        }
    }

    private static void Check(ConfStatement check, string name, string serverPort, string delayLoop, (string? Retry, string? Delay, string? Timeout) inherited, string? virtualHost, SortedSet<string> facts)
    {
        var (defaultRetry, defaultDelay) = check.Keyword switch
        {
            "MISC_CHECK" => ("0", "1"),
            "DNS_CHECK" => ("3", delayLoop),
            "HTTP_GET" or "SSL_GET" => ("1", "3"),
            _ => ("1", "1"),
        };
        var retry = Value(check, "retry") ?? Value(check, "nb_get_retry") ?? inherited.Retry ?? defaultRetry;
        facts.Add($"{name}: retry {retry} delay {Seconds(Value(check, "delay_before_retry") ?? inherited.Delay ?? defaultDelay)}");
        // The checker's own period and first-run spread, where it goes: its virtual server's delay_loop by default.
        facts.Add($"{name}: every {Seconds(Value(check, "delay_loop") ?? delayLoop)} warmup {Seconds(Value(check, "warmup") ?? Value(check, "delay_loop") ?? delayLoop)} to {Value(check, "connect_ip") ?? "-"}");
        if (check.Keyword != "MISC_CHECK")
        {
            var defaultPort = check.Keyword == "DNS_CHECK" && serverPort == "0" ? "53" : serverPort;
            facts.Add($"{name}: port {Value(check, "connect_port") ?? defaultPort} timeout {Seconds(Value(check, "connect_timeout") ?? inherited.Timeout ?? "5")} bind {Value(check, "bindto") ?? "-"}"
                // keepalived binds a port only with an address (bind_port alone is never used).
                + $" port {(Value(check, "bindto") is null ? "-" : Value(check, "bind_port") ?? "-")} if {Value(check, "bind_if") ?? "-"}");
        }
        foreach (var url in check.Children("url"))
        {
            facts.Add($"{name}: url {Value(url, "path")} status {Statuses(Child(url, "status_code")?.Arguments)} digest {Value(url, "digest") ?? "-"} host {Value(url, "virtualhost") ?? Value(check, "virtualhost") ?? virtualHost ?? "-"}"
                + $" regex {Value(url, "regex") ?? "-"}{(Child(url, "regex_no_match") is null ? "" : " no match")}");
        }
        if (check.Keyword is "HTTP_GET" or "SSL_GET")
        {
            facts.Add($"{name}: http {Value(check, "http_protocol") ?? "1.0"}{(Child(check, "enable_sni") is null ? "" : " sni")}");
        }
        if (Child(check, "misc_path") is { } misc)
        {
            facts.Add($"{name}: {Argv(misc)} timeout {Seconds(Value(check, "misc_timeout") ?? "-")} dynamic {(Child(check, "misc_dynamic") is null ? "no" : "yes")} user {Value(check, "user") ?? "-"}");
        }
        if (check.Keyword == "DNS_CHECK")
        {
            facts.Add($"{name}: {Value(check, "type")?.ToUpperInvariant() ?? "SOA"} {Value(check, "name")}");
        }
        if (check.Keyword == "UDP_CHECK")
        {
            facts.Add($"{name}: payload {string.Join(' ', Child(check, "payload")?.Arguments ?? ["random"])} reply {(Child(check, "require_reply") is { } reply ? string.Join(' ', reply.Arguments.DefaultIfEmpty("any")) : "-")} length {Value(check, "min_reply_length") ?? "0"}-{Value(check, "max_reply_length") ?? "255"}");
        }
        if (check.Keyword == "SMTP_CHECK")
        {
            facts.Add($"{name}: helo {Value(check, "helo_name") ?? "-"}");
        }
    }

    private static bool RunsScripts(IEnumerable<ConfStatement> statements) =>
        statements.Any(s => s.Keyword is "script" or "misc_path" or "quorum_up" or "quorum_down" || s.Keyword.EndsWith("_fifo_script", StringComparison.Ordinal)
            || (s.Keyword.StartsWith("notify", StringComparison.Ordinal) && !s.Keyword.EndsWith("_fifo", StringComparison.Ordinal)) || RunsScripts(s.Block ?? []));

    private static ConfStatement? Child(ConfStatement? block, string keyword) => block?.Children(keyword).LastOrDefault();

    private static string? Value(ConfStatement? block, string keyword) => Child(block, keyword)?.Argument(0);

    /// <summary>A script's words as keepalived runs it (two reads with quotes and escapes), joined by |.</summary>
    private static string Argv(ConfStatement? hook) =>
        hook is null ? "-" : string.Join('|', ConfWords.Escaped(ConfWords.Escaped(hook.Text, out _)![1], out _)!);

    /// <summary>The set of codes keepalived accepts, as ranges: "200-299" and none given (any 2xx) alike.</summary>
    private static string Statuses(IReadOnlyList<string>? codes)
    {
        var accepted = new SortedSet<int>();
        foreach (var word in codes ?? ["200-299"])
        {
            var parts = word.Split('-');
            for (var code = int.Parse(parts[0], CultureInfo.InvariantCulture); code <= int.Parse(parts[^1], CultureInfo.InvariantCulture); code++)
            {
                accepted.Add(code);
            }
        }
        var ranges = new List<string>();
        foreach (var code in accepted.Where(c => !accepted.Contains(c - 1)))
        {
            var end = code;
            while (accepted.Contains(end + 1)) end++;
            ranges.Add(end == code ? $"{code}" : $"{code}-{end}");
        }
        return string.Join(' ', ranges);
    }

    private static string Address(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        return slash < 0 ? $"{address}/{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)}" : $"{address}{text[slash..]}";
    }

    private static string Seconds(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) ? seconds.ToString("0.###", CultureInfo.InvariantCulture) : text;
}
