using System.Globalization;
using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Core.Rendering;

/// <summary>
/// Writes the keepalived.conf that is equivalent to one node's desired state, for operators comparing
/// with what they know (keepalived 2.2 syntax; checked with <c>keepalived -t</c> in the tests).
/// </summary>
public sealed class KeepalivedConfWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;
    // keepalived's FILE_CHECK reads a top-level track_file by name: one per file check, named for its server.
    private readonly Dictionary<FileCheckSpec, string> _fileChecks = [];

    public static string Write(NodeDesiredState node)
    {
        var writer = new KeepalivedConfWriter();
        writer.Line($"# keepalived.conf for node {node.Node}, rendered by vigil from the cluster's desired state");
        writer.GlobalDefs(node);
        foreach (var group in node.Pacing.Groups) writer.GarpGroup(group);
        if (node.StaticAddresses.Count > 0) writer.Addresses("static_ipaddress", node.StaticAddresses);
        writer.Lines("static_routes", node.StaticRoutes.Select(KeepalivedRouting.Route));
        writer.Lines("static_rules", node.StaticRules.Select(KeepalivedRouting.Rule));
        foreach (var script in node.VrrpScripts) writer.VrrpScript(script);
        foreach (var instance in node.VrrpInstances) writer.TrackFiles(instance);
        foreach (var instance in node.VrrpInstances) writer.TrackProcesses(instance);
        foreach (var group in node.SyncGroups) writer.SyncGroup(group);
        foreach (var instance in node.VrrpInstances) writer.VrrpInstance(instance, node.Strict);
        writer.SslBlock(node.VirtualServers);
        writer.FileCheckTrackFiles(node.VirtualServers);
        foreach (var server in node.VirtualServers) writer.VirtualServer(server);
        return writer._text.ToString();
    }

    private void GlobalDefs(NodeDesiredState node)
    {
        Open("global_defs");
        Line($"router_id {KeepalivedText.Plain(node.RouterId, "routerId")}");
        if (node.Notification?.Email is { } email)
        {
            Open("notification_email");
            foreach (var to in email.To) Line(KeepalivedText.Plain(to, "email address"));
            Close();
            Line($"notification_email_from {KeepalivedText.Plain(email.From, "email address")}");
            var (host, port) = SplitHostPort(email.SmtpServer);
            Line(port is null ? $"smtp_server {host}" : $"smtp_server {host} {port}");
            Line($"smtp_connect_timeout {Seconds(email.ConnectTimeout)}");
        }
        foreach (var (field, fifo) in node.Notification?.Fifos() ?? [])
        {
            // fifo, vrrpFifo, lvsFifo: keepalived's notify_fifo, vrrp_notify_fifo, lvs_notify_fifo.
            var keyword = field switch { "vrrpFifo" => "vrrp_notify_fifo", "lvsFifo" => "lvs_notify_fifo", _ => "notify_fifo" };
            var owner = RunAs(fifo.User, fifo.Group);
            Line($"{keyword} {KeepalivedText.Plain(fifo.Path, "FIFO path")}{owner}");
            if (fifo.Script is { } script) Line($"{keyword}_script {KeepalivedText.Script(script)}{owner}");
        }
        // Vigil runs scripts without a shell as the configured user, and refuses a root script others can change;
        // keepalived needs this to do the same. (With no scripts.user, Vigil picks vigil-script or nobody on the node.)
        Line("enable_script_security");
        if (node.Strict) Line("vrrp_strict");
        if (node.SkipAddressListCheck) Line("vrrp_skip_check_adv_addr");
        if (node.Pacing.GarpInterval > TimeSpan.Zero) Line($"vrrp_garp_interval {Seconds(node.Pacing.GarpInterval)}");
        if (node.Pacing.GnaInterval > TimeSpan.Zero) Line($"vrrp_gna_interval {Seconds(node.Pacing.GnaInterval)}");
        if (node.Scripts?.User is { } user)
        {
            Line($"script_user {user}{(node.Scripts.Group is { } group ? " " + group : "")}");
        }
        else
        {
            // keepalived's own default would be root where no keepalived_script user exists.
            Line("# Vigil runs scripts as vigil-script where that user exists, else as nobody (spec.scripts.user sets one)");
            Line("script_user nobody");
        }
        Close();
    }

    private void GarpGroup(GarpGroupSpec group)
    {
        Open("garp_group");
        if (group.GarpInterval > TimeSpan.Zero) Line($"garp_interval {Seconds(group.GarpInterval)}");
        if (group.GnaInterval > TimeSpan.Zero) Line($"gna_interval {Seconds(group.GnaInterval)}");
        Lines("interfaces", group.Interfaces.Select(i => KeepalivedText.Plain(i, "interface")));
        Close();
    }

    private void VrrpScript(NodeVrrpScript script)
    {
        var spec = script.Spec;
        Open($"vrrp_script {script.Name}");
        Line($"script {KeepalivedText.Script(spec.Script)}");
        Line($"interval {Seconds(spec.Interval)}");
        if (spec.Timeout is { } timeout) Line($"timeout {Seconds(timeout)}");
        Line($"weight {spec.Weight}");
        Line($"fall {spec.Fall}");
        Line($"rise {spec.Rise}");
        if (spec.User is not null) Line(spec.Group is null ? $"user {spec.User}" : $"user {spec.User} {spec.Group}");
        Close();
    }

    /// <summary>keepalived names its track files; Vigil lists them in the instance: named after the instance and position.</summary>
    private static string TrackFileName(NodeVrrpInstance instance, int index) => $"{instance.Name}_file{index + 1}";

    private void TrackFiles(NodeVrrpInstance instance)
    {
        for (var i = 0; i < instance.TrackFiles.Count; i++)
        {
            Open($"track_file {TrackFileName(instance, i)}");
            Line($"file {KeepalivedText.Plain(instance.TrackFiles[i].File, "track file")}");
            Close();
        }
    }

    private static string TrackProcessName(NodeVrrpInstance instance, int index) => $"{instance.Name}_process{index + 1}";

    /// <summary>One vrrp_track_process per tracked process of an instance; the weight is written where the instance names it.</summary>
    private void TrackProcesses(NodeVrrpInstance instance)
    {
        for (var i = 0; i < instance.TrackProcesses.Count; i++)
        {
            var track = instance.TrackProcesses[i];
            Open($"vrrp_track_process {TrackProcessName(instance, i)}");
            Line($"process {string.Join(' ', new[] { track.Process }.Concat(track.Arguments).Select(w => KeepalivedText.Plain(w, "tracked process")))}");
            // keepalived's param_match alone is exact; it knows no "exact".
            if (track.ArgumentMatch is { } match) Line(match == ArgumentMatch.Exact ? "param_match" : $"param_match {match.ToString().ToLowerInvariant()}");
            if (track.FullCommand && track.EffectiveArgumentMatch is null) Line("full_command");
            // quorum_max 0 sets quorum 0 itself, and keepalived refuses quorum 0; quorum goes first, as quorum_max is checked against it.
            if (track.Quorum is not (1 or 0)) Line($"quorum {track.Quorum}");
            if (track.QuorumMax is { } max) Line($"quorum_max {max}");
            if (track.ForkDelay > TimeSpan.Zero) Line($"fork_delay {Seconds(track.ForkDelay)}");
            if (track.TerminateDelay > TimeSpan.Zero) Line($"terminate_delay {Seconds(track.TerminateDelay)}");
            Close();
        }
    }

    /// <summary>keepalived has one client certificate for every SSL_GET (its SSL block), Vigil one per check: the first is written.</summary>
    private void SslBlock(IEnumerable<NodeVirtualServer> servers)
    {
        var certificates = servers.SelectMany(s => s.Spec.RealServers).SelectMany(r => r.Checks)
            .Select(c => c.SslGet?.ClientCertificate).OfType<ClientCertificateSpec>().Distinct().ToList();
        if (certificates.Count == 0) return;
        var client = certificates[0];
        Open("SSL");
        if (certificates.Count > 1) Line("# keepalived has one client certificate for all SSL_GET checks; Vigil's checks name several");
        Line($"certificate {KeepalivedText.Plain(client.Certificate, "certificate")}");
        Line($"key {KeepalivedText.Plain(client.Key, "key")}");
        if (client.Password is { } password) Line($"# the key's password is in {password}, which Vigil reads: keepalived needs it as password");
        Close();
    }

    private void FileCheckTrackFiles(IEnumerable<NodeVirtualServer> servers)
    {
        foreach (var server in servers)
        {
            for (var r = 0; r < server.Spec.RealServers.Count; r++)
            {
                foreach (var file in server.Spec.RealServers[r].Checks.Select(c => c.File).OfType<FileCheckSpec>().Where(f => !_fileChecks.ContainsKey(f)))
                {
                    var name = $"{server.Name}_rs{r + 1}_file{_fileChecks.Count + 1}";
                    _fileChecks[file] = name;
                    Open($"track_file {name}");
                    Line($"file {KeepalivedText.Plain(file.Path, "file check path")}");
                    Close();
                }
            }
        }
    }

    private void SyncGroup(NodeSyncGroup group)
    {
        Open($"vrrp_sync_group {group.Name}");
        Open("group");
        foreach (var instance in group.Instances) Line(instance);
        Close();
        // Vigil applies tracking weights in a sync group; keepalived ignores them there unless told.
        Line("sync_group_tracking_weight");
        Notify(group.Notify);
        Close();
    }

    private void VrrpInstance(NodeVrrpInstance instance, bool strict)
    {
        Open($"vrrp_instance {instance.Name}");
        // keepalived honours nopreempt and preempt_delay only when the instance starts as BACKUP; vrrp_strict allows
        // MASTER only for the address owner.
        var startAsMaster = instance.PreferredMaster && instance.Preempt && instance.PreemptDelay == TimeSpan.Zero && (!strict || instance.Priority == 255);
        Line($"state {(startAsMaster ? "MASTER" : "BACKUP")}");
        Line($"interface {instance.Interface}");
        Line($"virtual_router_id {instance.VirtualRouterId}");
        Line($"version {instance.Version}");
        Line($"priority {instance.Priority}");
        Line($"advert_int {Seconds(instance.AdvertInterval)}");
        if (!instance.Preempt) Line("nopreempt");
        if (instance.PreemptDelay > TimeSpan.Zero) Line($"preempt_delay {Seconds(instance.PreemptDelay)}");
        if (!instance.AnswerLowerPriority) Line("lower_prio_no_advert");
        // keepalived's own default is accept, no_accept under vrrp_strict: each written where it is not the default.
        if (!instance.Accept) Line("no_accept");
        else if (strict) Line("accept");
        if (instance.Authentication is { } auth)
        {
            Open("authentication");
            Line("auth_type PASS");
            Line($"auth_pass {KeepalivedText.Plain(auth.Password, $"instance {instance.Name}: the password", secret: true)}");
            Close();
        }
        if (instance.Transport == VrrpTransport.Unicast)
        {
            if (instance.SourceAddress is not null) Line($"unicast_src_ip {instance.SourceAddress}");
            Open("unicast_peer");
            foreach (var peer in instance.UnicastPeers) Line(peer.ToString());
            Close();
            if (instance.UnicastTtl is { } ttl) Line($"unicast_ttl {ttl}");
        }
        Addresses("virtual_ipaddress", instance.VirtualAddresses);
        if (instance.ExcludedAddresses.Count > 0) Addresses("virtual_ipaddress_excluded", instance.ExcludedAddresses);
        Lines("virtual_routes", instance.VirtualRoutes.Select(KeepalivedRouting.Route));
        Lines("virtual_rules", instance.VirtualRules.Select(KeepalivedRouting.Rule));
        Lines("track_interface", instance.TrackInterfaces.Select(t => t.Weight == 0 ? t.Name : $"{t.Name} weight {t.Weight}"));
        Lines("track_script", instance.TrackScripts.Select(t => $"{t.Name} weight {t.Weight ?? 0}"));
        // keepalived names its track files and processes; Vigil lists them in the instance (see TrackFiles, TrackProcesses).
        Lines("track_file", instance.TrackFiles.Select((t, i) => $"{TrackFileName(instance, i)} weight {t.Weight}{(t.Reverse ? " reverse" : "")}"));
        Lines("track_process", instance.TrackProcesses.Select((t, i) => $"{TrackProcessName(instance, i)} weight {t.Weight}{(t.Reverse ? " reverse" : "")}"));
        Notify(instance.Notify);
        Line($"garp_master_delay {Seconds(instance.Garp.Delay)}");
        Line($"garp_master_repeat {instance.Garp.Repeat}");
        Line($"garp_master_refresh {Seconds(instance.Garp.Refresh)}");
        Line($"garp_master_refresh_repeat {instance.Garp.RefreshRepeat}");
        Line($"garp_lower_prio_repeat {instance.Garp.LowerPriorityRepeat}");
        if (instance.UseVirtualMac) Line("use_vmac");
        // Unicast adverts leave from the base interface: keepalived sets this itself for unicast with a vmac, and says so.
        if (instance.UseVirtualMac && instance.Transport == VrrpTransport.Unicast) Line("vmac_xmit_base");
        Close();
    }

    /// <summary>A block of one line per entry; nothing when there are none.</summary>
    private void Lines(string block, IEnumerable<string> lines)
    {
        var all = lines.ToList();
        if (all.Count == 0) return;
        Open(block);
        all.ForEach(Line);
        Close();
    }

    private void Addresses(string block, ValueList<VirtualAddressSpec> addresses)
    {
        Open(block);
        foreach (var vip in addresses)
        {
            var line = new StringBuilder(vip.Address.ToString());
            if (vip.Dev is not null) line.Append(" dev ").Append(vip.Dev);
            if (vip.Scope is { } scope) line.Append(" scope ").Append(scope.ToString().ToLowerInvariant());
            if (vip.Label is not null) line.Append(" label ").Append(KeepalivedText.Plain(vip.Label, "label"));
            Line(line.ToString());
        }
        Close();
    }

    private void Notify(NotifySpec? notify)
    {
        if (notify is null) return;
        var user = RunAs(notify.User, notify.Group);
        if (notify.OnMaster is not null) Line($"notify_master {KeepalivedText.Script(notify.OnMaster)}{user}");
        if (notify.OnBackup is not null) Line($"notify_backup {KeepalivedText.Script(notify.OnBackup)}{user}");
        if (notify.OnFault is not null) Line($"notify_fault {KeepalivedText.Script(notify.OnFault)}{user}");
        if (notify.OnStop is not null) Line($"notify_stop {KeepalivedText.Script(notify.OnStop)}{user}");
        if (notify.Any is not null) Line($"notify {KeepalivedText.Script(notify.Any)}{user}");
        if (notify.Email) Line("smtp_alert");
    }

    /// <summary>keepalived's optional "username [groupname]" after a notify script.</summary>
    private static string RunAs(string? user, string? group) => user is null ? "" : group is null ? $" {user}" : $" {user} {group}";

    private void VirtualServer(NodeVirtualServer server)
    {
        var spec = server.Spec;
        Line($"# VirtualServer {server.Name}");
        if (spec.Group is { } group)
        {
            Open($"virtual_server_group {group.Name}");
            foreach (var member in group.Members)
            {
                Line(member.Fwmark is { } groupMark ? $"fwmark {groupMark}{(member.Family is { } family ? family == IpFamily.IPv6 ? " inet6" : " inet" : "")}"
                    : $"{member.Address}{(member.LastAddress is { } last ? $"-{last}" : "")} {member.Port}");
            }
            Close();
        }
        Open(spec.Group is { } named ? $"virtual_server group {named.Name}"
            : spec.Fwmark is { } mark ? $"virtual_server fwmark {mark}" : $"virtual_server {spec.Address} {spec.Port}");
        Line($"delay_loop {Seconds(spec.DelayLoop)}");
        Line($"lb_algo {spec.Scheduler.ToString().ToLowerInvariant()}");
        foreach (var flag in spec.SchedulerFlags) Line($"{spec.Scheduler.ToString().ToLowerInvariant()}-{flag.ToString().ToLowerInvariant()}");
        Line($"lb_kind {spec.Forwarding.ToString().ToUpperInvariant()}");
        if (spec.OnePacket) Line("ops");
        // keepalived ignores a fwmark service's protocol, and says so.
        var marksOnly = spec.Fwmark is not null || spec.Group?.Members.All(m => m.Fwmark is not null) == true;
        if (!marksOnly) Line($"protocol {spec.Protocol.ToString().ToUpperInvariant()}");
        if (marksOnly && spec.EffectiveFamily == IpFamily.IPv6) Line("ip_family inet6");
        if (spec.Persistence is { } persistence)
        {
            Line($"persistence_timeout {(int)persistence.Timeout.TotalSeconds}");
            if (persistence.Netmask is not null) Line($"persistence_granularity {persistence.Netmask}");
        }
        Line($"quorum {spec.Quorum}");
        Line($"hysteresis {spec.Hysteresis}");
        if (spec.SorryServer is { } sorry) Line($"sorry_server {ServerEndpoint(sorry.Address, sorry.Port, spec)}");
        if (spec.Alpha) Line("alpha");
        if (spec.Omega) Line("omega");
        var user = RunAs(spec.Notify?.User, spec.Notify?.Group);
        if (spec.Notify?.OnQuorumUp is { } up) Line($"quorum_up {KeepalivedText.Script(up)}{user}");
        if (spec.Notify?.OnQuorumDown is { } down) Line($"quorum_down {KeepalivedText.Script(down)}{user}");
        if (spec.Notify?.Email == true) Line("smtp_alert");
        foreach (var real in spec.RealServers) RealServer(real, spec, user);
        Close();
    }

    private void RealServer(RealServerSpec real, VirtualServerSpec service, string user)
    {
        Open($"real_server {ServerEndpoint(real.Address, real.Port, service)}");
        Line($"weight {real.Weight}");
        if (real.InhibitOnFailure) Line("inhibit_on_failure");
        if (real.UpperThreshold != 0) Line($"uthreshold {real.UpperThreshold}");
        if (real.LowerThreshold != 0) Line($"lthreshold {real.LowerThreshold}");
        if (real.Notify?.OnUp is { } up) Line($"notify_up {KeepalivedText.Script(up)}{user}");
        if (real.Notify?.OnDown is { } down) Line($"notify_down {KeepalivedText.Script(down)}{user}");
        foreach (var check in real.Checks) HealthCheck(check, PortlessFwmark(service) ? real.Port : null);
        Close();
    }

    /// <summary>
    /// keepalived clears the port of a DR or TUN fwmark service's servers (the packet keeps its own): Vigil's real-server
    /// port there is only where the check connects, so it is written as the check's connect_port.
    /// </summary>
    private static bool PortlessFwmark(VirtualServerSpec service) => service.Fwmark is not null && service.Forwarding != IpvsForwarding.Nat;

    private static string ServerEndpoint(System.Net.IPAddress address, int? port, VirtualServerSpec service) =>
        PortlessFwmark(service) || (port ?? service.DefaultPort) is not { } effective ? address.ToString() : $"{address} {effective}";

    /// <param name="serverPort">The real server's port, where keepalived's server has none (<see cref="PortlessFwmark"/>).</param>
    private void HealthCheck(HealthCheckSpec check, int? serverPort)
    {
        if (check.Tcp is { } tcp)
        {
            Open("TCP_CHECK");
            if ((tcp.Port ?? serverPort) is { } tcpPort) Line($"connect_port {tcpPort}");
        }
        else if ((check.HttpGet ?? check.SslGet) is { } http)
        {
            Open(check.HttpGet is not null ? "HTTP_GET" : "SSL_GET");
            foreach (var url in http.EffectiveUrls)
            {
                Open("url");
                Line($"path {KeepalivedText.Plain(url.Path, "path")}");
                // keepalived's own default is any 2xx too, but written out it says so to a reader.
                Line($"status_code {url.Accepted}");
                if (url.Digest is not null) Line($"digest {url.Digest}");
                if (url.VirtualHost is not null) Line($"virtualhost {KeepalivedText.Plain(url.VirtualHost, "virtualHost")}");
                if (url.Regex is not null) Line($"regex {KeepalivedText.Plain(url.Regex, "regex")}");
                if (url.RegexNoMatch) Line("regex_no_match");
                Close();
            }
            if (http.HttpProtocol is not null) Line($"http_protocol {http.HttpProtocol}");
            if ((http.Port ?? serverPort) is { } httpPort) Line($"connect_port {httpPort}");
            if (http.VirtualHost is not null) Line($"virtualhost {KeepalivedText.Plain(http.VirtualHost, "virtualHost")}");
            if (check.SslGet is { EnableSni: true }) Line("enable_sni");
        }
        else if (check.Misc is { } misc)
        {
            Open("MISC_CHECK");
            Line($"misc_path {KeepalivedText.Script(misc.Script)}");
            if (misc.Timeout is { } timeout) Line($"misc_timeout {Seconds(timeout)}");
            if (misc.DynamicWeight) Line("misc_dynamic");
            if (misc.User is not null) Line($"user {misc.User}");
        }
        else if (check.Dns is { } dns)
        {
            Open("DNS_CHECK");
            Line($"name {KeepalivedText.Plain(dns.Name, "name")}");
            Line($"type {dns.Type}");
            if ((dns.Port ?? serverPort) is { } dnsPort) Line($"connect_port {dnsPort}");
        }
        else if (check.Smtp is { } smtp)
        {
            Open("SMTP_CHECK");
            if (smtp.Helo is not null) Line($"helo_name {KeepalivedText.Plain(smtp.Helo, "helo")}");
            if ((smtp.Port ?? serverPort) is { } smtpPort) Line($"connect_port {smtpPort}");
        }
        else if (check.Udp is { } udp)
        {
            Open("UDP_CHECK");
            if ((udp.Port ?? serverPort) is { } udpPort) Line($"connect_port {udpPort}");
            // The schema allows hex digits, x and spaces only: nothing keepalived's parser reads otherwise.
            if (udp.Payload is not null) Line($"payload {udp.Payload}");
            if (udp.NeedsReply) Line(udp.Reply is null ? "require_reply" : $"require_reply {udp.Reply}");
            if (udp.MinReplyLength != 0) Line($"min_reply_length {udp.MinReplyLength}");
            if (udp.MaxReplyLength != 255) Line($"max_reply_length {udp.MaxReplyLength}");
        }
        else if (check.Ping is not null)
        {
            Open("PING_CHECK");
        }
        else if (check.File is { } file)
        {
            // keepalived's FILE_CHECK takes none of the other checkers' options.
            Open("FILE_CHECK");
            Line($"track_file {_fileChecks[file]}");
            Line($"weight {file.Weight}{(file.Reverse ? " reverse" : "")}");
            Close();
            return;
        }
        else
        {
            return;
        }
        // A misc check has its own misc_timeout; keepalived refuses connect_timeout in it.
        if (check.Misc is null) Line($"connect_timeout {Seconds(check.ConnectTimeout)}");
        Line($"retry {check.Retry}");
        Line($"delay_before_retry {Seconds(check.DelayBeforeRetry)}");
        if (check.ConnectIp is not null) Line($"connect_ip {check.ConnectIp}");
        if (check.BindAddress is not null) Line($"bindto {check.BindAddress}");
        if (check.BindPort is { } bindPort) Line(check.BindAddress is null ? $"bind_port {bindPort} # keepalived binds no port without bindto; Vigil does" : $"bind_port {bindPort}");
        if (check.BindInterface is not null) Line($"bind_if {KeepalivedText.Plain(check.BindInterface, "bindInterface")}");
        if (check.DelayLoop is { } period) Line($"delay_loop {Seconds(period)}");
        if (check.Warmup is { } warmup) Line($"warmup {Seconds(warmup)}");
        Close();
    }

    /// <summary>host, host:port, [v6] or [v6]:port; a bare IPv6 address has no port.</summary>
    internal static (string Host, string? Port) SplitHostPort(string server)
    {
        if (server.StartsWith('['))
        {
            var close = server.IndexOf(']', StringComparison.Ordinal);
            return (server[1..close], close + 1 < server.Length && server[close + 1] == ':' ? server[(close + 2)..] : null);
        }
        var colon = server.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon == server.LastIndexOf(':') ? (server[..colon], server[(colon + 1)..]) : (server, null);
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);

    private void Open(string block)
    {
        Line(block + " {");
        _depth++;
    }

    private void Close()
    {
        _depth--;
        Line("}");
    }

    private void Line(string text) => _text.Append(' ', _depth * 4).Append(text).Append('\n');
}
