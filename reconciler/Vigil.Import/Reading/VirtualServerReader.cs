using Vigil.Core.Desired;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>virtual_server blocks, their real servers and checkers, as VirtualServer drafts; keepalived's defaults written where Vigil's differ.</summary>
internal sealed class VirtualServerReader(NodeConf node, Func<string, (string File, int Weight)?> trackFile)
{
    private static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];
    private static readonly string[] Checkers = ["TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "DNS_CHECK", "SMTP_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK"];

    private readonly ConfValues _values = new(node.Findings);

    public ServiceGroupReader Groups { get; } = new(node.Findings);

    /// <summary>retry, delay_before_retry and connect_timeout a checker takes from its real server, else its virtual server.</summary>
    private sealed record Inherited(int? Retry, string? DelayBeforeRetry, string? ConnectTimeout, string? VirtualHost);

    public void VirtualServer(ConfStatement block)
    {
        var draft = new ResourceDraft("VirtualServer", "", block.Position);
        string? protocol = null;
        var fwmark = block.Argument(0) == "fwmark";
        var group = block.Argument(0) == "group";
        if (group)
        {
            if (block.Argument(1) is not { } groupName || Groups.Use(block, groupName) is not { } members) return;
            draft.Set("group", members, block.Position);
            draft.Name = $"group-{groupName}";
            // A group of fwmarks alone has no protocol, as a fwmark service.
            fwmark = members["members"] is List<object> list && list.All(m => m is YamlMap map && map["fwmark"] is not null);
        }
        else if (fwmark)
        {
            if (_values.UnsignedLong(block, 1, uint.MaxValue) is not { } mark) return;
            draft.Set("fwmark", mark, block.Position);
            draft.Name = $"fwmark-{mark}";
        }
        else
        {
            if (_values.Address(block, block.Argument(0)) is not { } address || _values.Integer(block, 1, 0, 65535) is not { } port) return;
            draft.Set("address", address, block.Position);
            draft.Set("port", port, block.Position);
        }
        var inherited = new Inherited(null, null, null, null);
        var realServers = new List<ConfStatement>();
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "delay_loop" when _values.Duration(s) is { } loop:
                    draft.Set("delayLoop", loop, s.Position);
                    break;
                case "lb_algo" or "lvs_sched" when Schedulers.Contains(s.Argument(0)):
                    draft.Set("scheduler", s.Argument(0)!, s.Position);
                    break;
                case "lb_kind" or "lvs_method" when s.Argument(0) is "NAT" or "DR" or "TUN":
                    draft.Set("forwarding", s.Argument(0)!, s.Position);
                    break;
                case "protocol" when s.Argument(0) is "TCP" or "UDP" or "SCTP":
                    protocol = s.Argument(0);
                    draft.Set("protocol", protocol!, s.Position);
                    break;
                case "persistence_timeout":
                    draft.Set("persistence.timeout", s.Argument(0) is null ? "6m" : _values.Duration(s) ?? "6m", s.Position);
                    break;
                case "persistence_granularity" when s.Argument(0) is { } mask:
                    draft.Set("persistence.netmask", mask, s.Position);
                    break;
                case "quorum" when _values.Integer(s, 0, 1) is { } quorum:
                    draft.Set("quorum", quorum, s.Position);
                    break;
                case "hysteresis" when _values.Integer(s, 0, 0) is { } hysteresis:
                    draft.Set("hysteresis", hysteresis, s.Position);
                    break;
                case "sorry_server" when _values.Address(s, s.Argument(0)) is { } sorry:
                    draft.Set("sorryServer.address", sorry, s.Position);
                    if (s.Argument(1) is not null && _values.Integer(s, 1, 0, 65535) is { } sorryPort and > 0) draft.Set("sorryServer.port", sorryPort, s.Position);
                    break;
                case "alpha" or "omega" or "ops":
                    draft.Set(s.Keyword == "ops" ? "onePacket" : s.Keyword, true, s.Position);
                    break;
                case "ip_family" when s.Argument(0) is "inet" or "inet6":
                    draft.Set("family", s.Argument(0) == "inet6" ? "ipv6" : "ipv4", s.Position);
                    break;
                case "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                    draft.Add("schedulerFlags", s.Keyword[3..], s.Position);
                    break;
                case "quorum_up" or "quorum_down" when _values.Script(s) is { } script:
                    draft.Set(s.Keyword == "quorum_up" ? "notify.onQuorumUp" : "notify.onQuorumDown", script.Command, s.Position);
                    if (script.User is not null) draft.Set("notify.user", script.User, s.Position);
                    if (script.Group is not null) draft.Set("notify.group", script.Group, s.Position);
                    break;
                case "smtp_alert":
                    draft.Set("notify.email", true, s.Position);
                    break;
                case "retry" or "nb_get_retry" or "delay_before_retry" or "connect_timeout":
                    inherited = Inherit(s, inherited);
                    break;
                case "virtualhost" when s.Argument(0) is { } host:
                    inherited = inherited with { VirtualHost = host };
                    break;
                case "real_server":
                    realServers.Add(s);
                    break;
                case "delay_loop" or "quorum" or "hysteresis" or "quorum_up" or "quorum_down":
                    break; // the value was reported
                default:
                    Unknowns.Report(node.Findings, s, "virtual_server");
                    break;
            }
        }
        if (!fwmark && protocol is null)
        {
            // keepalived: "no protocol set - defaulting to UDP" (the kernel's 0 is UDP); Vigil's default is TCP.
            draft.Set("protocol", "UDP", block.Position);
            node.Findings.DefaultWritten("protocol", "no protocol: keepalived serves UDP, Vigil's default is TCP, so protocol: UDP is written", block.Position);
        }
        if (!fwmark && !group)
        {
            draft.Name = $"{(protocol ?? "UDP").ToLowerInvariant()}-{draft.Get("address")!.ToString()!.Replace(':', '-').Replace('.', '-')}-{draft.Get("port")}";
        }
        var delayLoop = draft.Get("delayLoop") as string ?? "1m";
        // keepalived clears the port of a DR or TUN fwmark service's servers (the packet keeps its own), and says so.
        var portless = fwmark && !group && draft.Get("forwarding") as string is "DR" or "TUN";
        foreach (var real in realServers)
        {
            RealServer(draft, real, inherited, delayLoop, portless);
        }
        node.VirtualServers.Add(draft);
    }

    private void RealServer(ResourceDraft draft, ConfStatement block, Inherited fromService, string delayLoop, bool portless)
    {
        if (_values.Address(block, block.Argument(0)) is not { } address)
        {
            return;
        }
        var real = new YamlMap().Set("address", address);
        if (block.Argument(1) is not null && _values.Integer(block, 1, 0, 65535) is { } port and > 0)
        {
            if (portless)
            {
                node.Findings.Translated(block, $"keepalived clears the port {port} of a {draft.Get("forwarding")} fwmark service's real server: it is not written");
            }
            else
            {
                real.Set("port", port);
            }
        }
        var inherited = fromService;
        var checks = new List<ConfStatement>();
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "weight" when _values.Integer(s, 0, 0, 65535) is { } weight:
                    real.Set("weight", weight);
                    break;
                case "inhibit_on_failure":
                    real.Set("inhibitOnFailure", true);
                    break;
                case "uthreshold" when _values.Integer(s, 0, 0) is { } upper:
                    real.Set("upperThreshold", upper);
                    break;
                case "lthreshold" when _values.Integer(s, 0, 0) is { } lower:
                    real.Set("lowerThreshold", lower);
                    break;
                case "notify_up" or "notify_down" when _values.Script(s) is { } script:
                    real.Map("notify").Set(s.Keyword == "notify_up" ? "onUp" : "onDown", script.Command);
                    if (script.User is not null) node.Findings.NotImported(s, "Vigil runs a real server's hooks as the virtual server's notify.user: set it there");
                    break;
                case "retry" or "nb_get_retry" or "delay_before_retry" or "connect_timeout":
                    inherited = Inherit(s, inherited);
                    break;
                case var checker when Checkers.Contains(checker):
                    checks.Add(s);
                    break;
                case "weight" or "uthreshold" or "lthreshold" or "notify_up" or "notify_down":
                    break; // the value was reported
                default:
                    Unknowns.Report(node.Findings, s, "real_server");
                    break;
            }
        }
        // One checker is the real server's healthCheck; several (all must pass, as keepalived's) its healthChecks.
        var read = checks.SelectMany(c => Checks(c, inherited, delayLoop)).ToList();
        if (read.Count == 1)
        {
            real.Set("healthCheck", read[0]);
        }
        else if (read.Count > 1)
        {
            real.Set("healthChecks", read.Cast<object>().ToList());
        }
        draft.Add("realServers", real, block.Position);
    }

    /// <summary>A virtual or real server's retry, delay_before_retry or connect_timeout, for its checkers to take.</summary>
    private Inherited Inherit(ConfStatement s, Inherited inherited) => s.Keyword switch
    {
        "retry" or "nb_get_retry" => _values.Integer(s, 0, 0) is { } retry ? inherited with { Retry = retry } : inherited,
        "delay_before_retry" => _values.Duration(s) is { } delay ? inherited with { DelayBeforeRetry = delay } : inherited,
        _ => _values.Duration(s) is { } timeout ? inherited with { ConnectTimeout = timeout } : inherited,
    };

    private YamlMap? Check(ConfStatement block, Inherited inherited, string delayLoop)
    {
        if (Unsupported.Reasons.TryGetValue(block.Keyword, out var why))
        {
            node.Findings.NotImported(block, why);
            return null;
        }
        if (block.Keyword == "FILE_CHECK")
        {
            return FileCheck(block);
        }
        var check = new YamlMap();
        var probe = check.Map(block.Keyword switch
        {
            "TCP_CHECK" => "tcp",
            "HTTP_GET" => "httpGet",
            "SSL_GET" => "sslGet",
            "MISC_CHECK" => "misc",
            "DNS_CHECK" => "dns",
            "UDP_CHECK" => "udp",
            "PING_CHECK" => "ping",
            _ => "smtp",
        });
        var (retry, delay, timeout, virtualHost) = inherited;
        var urls = new List<YamlMap>();
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "connect_port" when _values.Integer(s, 0, 1, 65535) is { } port:
                    probe.Set("port", port);
                    break;
                case "bindto" when block.Keyword != "MISC_CHECK" && _values.Address(s, s.Argument(0)) is { } bind:
                    check.Set("bindAddress", bind);
                    break;
                case "bind_port" when block.Keyword != "MISC_CHECK" && _values.Integer(s, 0, 1, 65535) is { } bindPort:
                    if ((block.Block ?? []).Any(b => b.Keyword == "bindto")) check.Set("bindPort", bindPort);
                    else node.Findings.NotImported(s, "keepalived binds no source port without bindto, so the check never used it; Vigil would");
                    break;
                case "bind_if" when block.Keyword != "MISC_CHECK" && s.Argument(0) is { } bindInterface:
                    check.Set("bindInterface", bindInterface);
                    break;
                case "connect_timeout" when block.Keyword != "MISC_CHECK" && _values.Duration(s) is { } t:
                    timeout = t;
                    break;
                case "retry" or "nb_get_retry" when _values.Integer(s, 0, 0) is { } r:
                    retry = r;
                    break;
                case "delay_before_retry" when _values.Duration(s) is { } d:
                    delay = d;
                    break;
                case "delay_loop" when _values.Duration(s) is { } period:
                    check.Set("delayLoop", period);
                    break;
                case "warmup" when _values.Duration(s) is { } warmup:
                    check.Set("warmup", warmup);
                    break;
                case "connect_ip" when _values.Address(s, s.Argument(0)) is { } connectIp:
                    check.Set("connectIp", connectIp);
                    break;
                case "url" when block.Keyword is "HTTP_GET" or "SSL_GET":
                    urls.Add(Url(s));
                    break;
                case "http_protocol" when block.Keyword is "HTTP_GET" or "SSL_GET" && s.Argument(0) is "1.0" or "1.0C" or "1.1":
                    probe.Set("httpProtocol", s.Argument(0)!);
                    break;
                case "enable_sni" when block.Keyword == "SSL_GET":
                    probe.Set("enableSni", true);
                    break;
                case "virtualhost" when s.Argument(0) is { } host:
                    virtualHost = host;
                    break;
                case "misc_path" when block.Keyword == "MISC_CHECK" && _values.Script(s) is { } script:
                    probe.Set("script", script.Command);
                    break;
                case "misc_timeout" when _values.Duration(s) is { } t:
                    probe.Set("timeout", t);
                    break;
                case "misc_dynamic":
                    probe.Set("dynamicWeight", true);
                    break;
                case "user" when block.Keyword == "MISC_CHECK" && s.Argument(0) is { } user:
                    probe.Set("user", user);
                    if (s.Argument(1) is not null) node.Findings.NotImported(s, "a misc check's group is not in Vigil: it runs with the user's own group");
                    break;
                case "name" when block.Keyword == "DNS_CHECK" && s.Argument(0) is { } name:
                    probe.Set("name", name);
                    break;
                case "type" when block.Keyword == "DNS_CHECK" && s.Argument(0) is { } type:
                    probe.Set("type", type.ToUpperInvariant());
                    break;
                case "helo_name" when block.Keyword == "SMTP_CHECK" && s.Argument(0) is { } helo:
                    probe.Set("helo", helo);
                    break;
                case "host" when block.Keyword == "SMTP_CHECK":
                    break; // read by Checks: each host is a check of its own
                case "payload" when block.Keyword == "UDP_CHECK" && Hex(s, false) is { } payload:
                    probe.Set("payload", payload);
                    break;
                case "require_reply" when block.Keyword == "UDP_CHECK":
                    if (s.Arguments.Count == 0) probe.Set("requireReply", true);
                    else if (Hex(s, true) is { } reply) probe.Set("reply", reply);
                    break;
                case "min_reply_length" or "max_reply_length" when block.Keyword == "UDP_CHECK" && _values.Integer(s, 0, 0, 65535) is { } length:
                    probe.Set(s.Keyword == "min_reply_length" ? "minReplyLength" : "maxReplyLength", length);
                    break;
                case "connect_port" or "connect_timeout" or "retry" or "nb_get_retry" or "delay_before_retry" or "misc_timeout" or "misc_path"
                    or "delay_loop" or "warmup" or "connect_ip" or "payload" or "require_reply" or "min_reply_length" or "max_reply_length":
                    break; // the value was reported
                default:
                    Unknowns.Report(node.Findings, s, block.Keyword);
                    break;
            }
        }
        if (block.Keyword == "SSL_GET" && node.ClientCertificate is { } client)
        {
            probe.Set("clientCertificate", client);
        }
        if (block.Keyword is "HTTP_GET" or "SSL_GET")
        {
            if (urls.Count == 0)
            {
                probe.Set("path", "/");
                node.Findings.NotImported(block, "has no url: keepalived checks nothing here; Vigil checks GET / for 200");
            }
            else if (urls.Count == 1 && urls[0]["regex"] is null)
            {
                // One url: its fields on the check itself, as most configurations read (200 is Vigil's default there).
                foreach (var (key, value) in urls[0].Entries.Where(e => !(e.Key == "statusCodes" && (string)e.Value == "200")))
                {
                    probe.Set(key, value);
                }
            }
            else
            {
                probe.Set("urls", urls.Cast<object>().ToList());
            }
            if (virtualHost is not null && probe["virtualHost"] is null) probe.Set("virtualHost", virtualHost);
        }
        Defaults(block, check, retry, delay, timeout, delayLoop);
        return check;
    }

    /// <summary>
    /// FILE_CHECK { track_file NAME; weight W [reverse] }: the track_file's path, the checker's weight else the
    /// track_file's (1 by default). keepalived's checker takes none of the common options.
    /// </summary>
    private YamlMap? FileCheck(ConfStatement block)
    {
        (string File, int Weight)? file = null;
        int? weight = null;
        var reverse = false;
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "track_file" when s.Argument(0) is { } name:
                    file = trackFile(name);
                    if (file is null) node.Findings.NotImported(s, $"no track_file {name} is defined");
                    break;
                case "weight" when _values.Integer(s, 0, -65535, 65535) is { } w:
                    weight = w;
                    reverse = s.Argument(1) == "reverse";
                    break;
                case "weight":
                    break; // the value was reported
                default:
                    Unknowns.Report(node.Findings, s, block.Keyword);
                    break;
            }
        }
        if (file is not { } found)
        {
            if (!(block.Block ?? []).Any(s => s.Keyword == "track_file")) node.Findings.NotImported(block, "names no track_file");
            return null;
        }
        var spec = new YamlMap().Set("path", found.File);
        if ((weight ?? found.Weight) != 1) spec.Set("weight", weight ?? found.Weight);
        if (reverse) spec.Set("reverse", true);
        return new YamlMap().Set("file", spec);
    }

    /// <summary>keepalived's free-form hex (UDP_CHECK's payload, require_reply), its words joined by spaces; null (reported) when it is not hex.</summary>
    private string? Hex(ConfStatement s, bool wildcards)
    {
        var text = string.Join(' ', s.Arguments);
        if (HexString.TryParse(text, wildcards, out _, out _)) return text;
        node.Findings.NotImported(s, $"'{text}' is not hex{(wildcards ? " (with x for a nibble not compared)" : "")}");
        return null;
    }

    /// <summary>
    /// A checker as Vigil's checks: one, or for an SMTP_CHECK with keepalived's deprecated host blocks, one per host (each
    /// with its connect_ip and connect_port, all must pass, as keepalived's), plus the checker itself when it names where
    /// it connects.
    /// </summary>
    private IEnumerable<YamlMap> Checks(ConfStatement block, Inherited inherited, string delayLoop)
    {
        if (Check(block, inherited, delayLoop) is not { } check) yield break;
        var hosts = block.Keyword == "SMTP_CHECK" ? block.Children("host").ToList() : [];
        if (hosts.Count == 0 || (block.Block ?? []).Any(s => s.Keyword is "connect_ip" or "connect_port"))
        {
            yield return check;
        }
        foreach (var host in hosts)
        {
            if (Check(host with { Words = ["SMTP_CHECK"], Block = [.. (block.Block ?? []).Where(s => s.Keyword is not ("host" or "connect_ip" or "connect_port")), .. host.Block ?? []] },
                inherited, delayLoop) is { } one)
            {
                yield return one;
            }
        }
    }

    /// <summary>keepalived's per-checker defaults where they differ from Vigil's (retry 1, delayBeforeRetry 1s, connectTimeout 5s).</summary>
    private void Defaults(ConfStatement block, YamlMap check, int? retry, string? delay, string? timeout, string delayLoop)
    {
        if (timeout is not null && block.Keyword != "MISC_CHECK") check.Set("connectTimeout", timeout);
        var (defaultRetry, defaultDelay) = block.Keyword switch
        {
            "MISC_CHECK" => (0, "1s"),
            "DNS_CHECK" => (3, delayLoop),
            "HTTP_GET" or "SSL_GET" => (1, "3s"),
            _ => (1, "1s"),
        };
        if (retry is null && defaultRetry != 1)
        {
            node.Findings.DefaultWritten("retry", $"{block.Keyword}: keepalived's default retry is {defaultRetry}, Vigil's 1: retry: {defaultRetry} is written", block.Position);
        }
        if (delay is null && defaultDelay != "1s")
        {
            node.Findings.DefaultWritten("delay_before_retry", $"{block.Keyword}: keepalived's default delay_before_retry is {defaultDelay}, Vigil's 1s: delayBeforeRetry: {defaultDelay} is written", block.Position);
        }
        if ((retry ?? defaultRetry) != 1) check.Set("retry", retry ?? defaultRetry);
        if ((delay ?? defaultDelay) != "1s") check.Set("delayBeforeRetry", delay ?? defaultDelay);
    }

    /// <summary>A url block as Vigil's url: path, statusCodes (keepalived's own "any 2xx" written out when it names none), digest, virtualHost.</summary>
    private YamlMap Url(ConfStatement url)
    {
        var map = new YamlMap();
        var codes = new List<string>();
        foreach (var s in url.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "path" when s.Argument(0) is { } path:
                    map.Set("path", path);
                    break;
                case "digest" when s.Argument(0) is { } digest:
                    map.Set("digest", digest.ToLowerInvariant());
                    break;
                case "status_code":
                    foreach (var code in s.Arguments)
                    {
                        if (HttpStatusCodes.TryParse(code, out _, out var error)) codes.Add(code);
                        else node.Findings.NotImported(s, error!);
                    }
                    break;
                case "virtualhost" when s.Argument(0) is { } host:
                    map.Set("virtualHost", host);
                    break;
                case "regex" when s.Argument(0) is { } pattern:
                    map.Set("regex", pattern);
                    break;
                case "regex_no_match":
                    map.Set("regexNoMatch", true);
                    break;
                default:
                    Unknowns.Report(node.Findings, s, "url");
                    break;
            }
        }
        if (codes.Count == 0)
        {
            node.Findings.DefaultWritten("status_code", "no status_code: keepalived accepts any 2xx; statusCodes: 200-299 is written", url.Position);
            codes.Add("200-299");
        }
        return map.Set("statusCodes", string.Join(' ', codes));
    }
}
