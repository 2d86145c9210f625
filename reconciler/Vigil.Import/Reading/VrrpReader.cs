using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>vrrp_script, track_file, vrrp_sync_group and vrrp_instance blocks, as drafts of Vigil's kinds.</summary>
internal sealed class VrrpReader(NodeConf node)
{
    /// <summary>An instance's gratuitous ARP keywords: the garp field each sets, a duration or a count (and its least).</summary>
    private static readonly Dictionary<string, (string Field, bool Duration, int Minimum)> Garp = new(StringComparer.Ordinal)
    {
        ["garp_master_delay"] = ("delay", true, 0),
        ["garp_master_repeat"] = ("repeat", false, 1),
        ["garp_master_refresh"] = ("refresh", true, 0),
        ["garp_master_refresh_repeat"] = ("refreshRepeat", false, 1),
        ["garp_lower_prio_repeat"] = ("lowerPriorityRepeat", false, 0),
        ["garp_lower_prio_delay"] = ("lowerPriorityDelay", true, 0),
    };

    private readonly ConfValues _values = new(node.Findings);

    /// <summary>
    /// A global_defs GARP default (vrrp_garp_master_delay ..., vrrp_min_garp): kept for the instances defined after it,
    /// each of which gets it written into its own garp fields, as keepalived copies it into each.
    /// </summary>
    public static bool GlobalGarp(NodeConf conf, ConfValues values, ConfStatement s)
    {
        if (s.Keyword == "vrrp_min_garp")
        {
            if (s.Argument(0) is "false" or "off" or "no")
            {
                return true;
            }
            // Only one announcement, no second burst; what the file set already stays (as keepalived).
            conf.GarpDefaults.TryAdd("repeat", (1, s.Position));
            conf.GarpDefaults.TryAdd("delay", ("0s", s.Position));
            conf.Findings.Translated(s, "written into each instance as garp.repeat: 1 and garp.delay: 0s (unless set), as keepalived applies it");
            return true;
        }
        if (!s.Keyword.StartsWith("vrrp_", StringComparison.Ordinal) || !Garp.TryGetValue(s.Keyword["vrrp_".Length..], out var garp))
        {
            return false;
        }
        if ((garp.Duration ? values.Duration(s) : (object?)values.Integer(s, 0, garp.Minimum, 255)) is { } value)
        {
            conf.GarpDefaults[garp.Field] = (value, s.Position);
            conf.Findings.Translated(s, $"keepalived's default for every instance: written into each instance's garp.{garp.Field}");
        }
        return true;
    }

    /// <summary>The global GARP defaults an instance does not override; a lower-priority repeat falls back to the global repeat, as keepalived's.</summary>
    private void ApplyGarpDefaults(ResourceDraft draft)
    {
        foreach (var (field, (value, at)) in node.GarpDefaults)
        {
            if (draft.Get($"garp.{field}") is null) draft.Set($"garp.{field}", value, at);
        }
        if (draft.Get("garp.lowerPriorityRepeat") is null && node.GarpDefaults.TryGetValue("repeat", out var repeat))
        {
            draft.Set("garp.lowerPriorityRepeat", repeat.Value, repeat.At);
        }
    }
    private readonly Dictionary<string, (string File, int Weight)> _trackFiles = new(StringComparer.Ordinal);

    public void Script(ConfStatement block)
    {
        var draft = new ResourceDraft("VrrpScript", block.Argument(0) ?? "", block.Position);
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "script" when _values.Script(s) is { } script:
                    draft.Set("script", script.Command, s.Position);
                    break;
                case "interval" when _values.Duration(s) is { } interval:
                    draft.Set("interval", interval, s.Position);
                    break;
                case "timeout" when _values.Duration(s) is { } timeout:
                    draft.Set("timeout", timeout, s.Position);
                    break;
                case "weight" when _values.Integer(s, 0, -253, 253) is { } weight:
                    draft.Set("weight", weight, s.Position);
                    if (s.Argument(1) == "reverse") node.Findings.NotImported(s, "a reversed weight is not in Vigil yet: negate the weight");
                    break;
                case "fall" when _values.Integer(s, 0, 1) is { } fall:
                    draft.Set("fall", fall, s.Position);
                    break;
                case "rise" when _values.Integer(s, 0, 1) is { } rise:
                    draft.Set("rise", rise, s.Position);
                    break;
                case "user":
                    SetUser(draft, "", s.Argument(0), s.Argument(1), s.Position);
                    break;
                case "script" or "interval" or "timeout" or "weight" or "fall" or "rise":
                    break; // the value was reported
                default:
                    Unknown(s, "vrrp_script");
                    break;
            }
        }
        if (draft.Get("script") is null)
        {
            node.Findings.NotImported(block, "has no script: keepalived ignores it, and so does the import");
            return;
        }
        node.Scripts.Add(draft);
    }

    /// <summary>A track_file block read so far, for a real server's FILE_CHECK.</summary>
    public (string File, int Weight)? TrackFileNamed(string name) => _trackFiles.TryGetValue(name, out var file) ? file : null;

    public void TrackFile(ConfStatement block)
    {
        var name = block.Argument(0) ?? "";
        string? file = null;
        var weight = 1;
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "file":
                    file = s.Argument(0);
                    break;
                case "weight" when _values.Integer(s, 0, -254, 254) is { } w:
                    weight = w;
                    if (s.Argument(1) == "reverse") node.Findings.NotImported(s, "reverse belongs to the instance's track_file line in Vigil: write it there");
                    break;
                case "init_file":
                    node.Findings.NotImported(s, "Vigil reads a missing track file as 0 and does not create it");
                    break;
                case "weight":
                    break;
                default:
                    Unknown(s, "track_file");
                    break;
            }
        }
        if (file is null)
        {
            node.Findings.NotImported(block, "names no file");
            return;
        }
        _trackFiles[name] = (file, weight);
    }

    private readonly Dictionary<string, (YamlMap Track, int Weight, bool Reverse)> _trackProcesses = new(StringComparer.Ordinal);

    /// <summary>
    /// A vrrp_track_process block: kept by name, for the instances that name it (Vigil lists the process in each,
    /// with the weight the instance gives it, else the block's).
    /// </summary>
    public void TrackProcess(ConfStatement block)
    {
        var name = block.Argument(0) ?? "";
        var track = new YamlMap();
        var (weight, reverse) = (0, false);
        int? quorum = null;
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "process" when s.Arguments.Count > 0 && track["process"] is null:
                    track.Set("process", s.Arguments[0]);
                    if (s.Arguments.Count > 1) track.Set("arguments", s.Arguments.Skip(1).Cast<object>().ToList());
                    break;
                case "param_match" when s.Argument(0) is null or "initial" or "partial":
                    track.Set("argumentMatch", s.Argument(0) ?? "exact");
                    break;
                case "full_command":
                    track.Set("fullCommand", true);
                    break;
                case "quorum" when _values.Integer(s, 0, 1, 65535) is { } q:
                    quorum = q;
                    break;
                case "quorum_max" when _values.Integer(s, 0, 0, 65535) is { } max:
                    track.Set("quorumMax", max);
                    if (max == 0) quorum = 0; // keepalived: quorum_max 0 is "must not run", its quorum 0
                    break;
                case "delay" or "fork_delay" or "terminate_delay" when _values.Duration(s) is { } delay:
                    if (s.Keyword != "terminate_delay") track.Set("forkDelay", delay);
                    if (s.Keyword != "fork_delay") track.Set("terminateDelay", delay);
                    break;
                case "weight" when _values.Integer(s, 0, -254, 254) is { } w:
                    (weight, reverse) = (w, s.Argument(1) == "reverse");
                    break;
                case "process" or "param_match" or "quorum" or "quorum_max" or "delay" or "fork_delay" or "terminate_delay" or "weight":
                    if (s.Keyword is "process" or "param_match") node.Findings.NotImported(s, s.Keyword == "process" ? "names no process, or a second one (keepalived keeps the first)" : $"'{s.Argument(0)}' is not exact, partial or initial");
                    break; // otherwise the value was reported
                default:
                    Unknown(s, "vrrp_track_process");
                    break;
            }
        }
        if (quorum is { } n && n != 1) track.Set("quorum", n);
        if (track["process"] is null)
        {
            node.Findings.NotImported(block, "names no process: keepalived ignores it, and so does the import");
            return;
        }
        _trackProcesses[name] = (track, weight, reverse);
    }

    /// <summary>An instance's track_process line: NAME [weight W [reverse|noreverse]].</summary>
    private void TrackProcessUse(ResourceDraft draft, ConfStatement use)
    {
        if (!_trackProcesses.TryGetValue(use.Words[0], out var defined))
        {
            node.Findings.NotImported(use, $"no vrrp_track_process {use.Words[0]} is defined");
            return;
        }
        var track = new YamlMap();
        foreach (var (key, value) in defined.Track.Entries) track.Set(key, value is List<object> list ? list.ToList() : value);
        var (weight, reverse) = (defined.Weight, defined.Reverse);
        if (use.Argument(0) == "weight" && _values.Integer(use, 1, -254, 254) is { } w)
        {
            weight = w;
            reverse = use.Argument(2) is { } option ? option == "reverse" : reverse;
        }
        if (weight != 0) track.Set("weight", weight);
        if (reverse) track.Set("reverse", true);
        draft.Add("trackProcesses", track, use.Position);
    }

    public void SyncGroup(ConfStatement block)
    {
        var draft = new ResourceDraft("SyncGroup", block.Argument(0) ?? "", block.Position);
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "group":
                    foreach (var member in s.Block ?? [])
                    {
                        foreach (var word in member.Words)
                        {
                            draft.Add("instances", word, member.Position);
                        }
                    }
                    break;
                case "sync_group_tracking_weight":
                    draft.Set("trackingWeight", true, s.Position); // read by the merger; Vigil always applies the weights
                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop" or "notify" or "smtp_alert":
                    Notify(draft, s);
                    break;
                default:
                    Unknown(s, "vrrp_sync_group");
                    break;
            }
        }
        node.SyncGroups.Add(draft);
    }

    public void Instance(ConfStatement block)
    {
        var draft = new ResourceDraft("VrrpInstance", block.Argument(0) ?? "", block.Position);
        int priority = 100;
        string state = "BACKUP";
        string? iface = null;
        string? source = null;
        var peers = new List<string>();
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "state":
                    state = s.Argument(0) ?? "BACKUP";
                    break;
                case "interface":
                    iface = s.Argument(0);
                    if (iface is not null) draft.Set("interface", iface, s.Position);
                    break;
                case "virtual_router_id" when _values.Integer(s, 0, 1, 255) is { } vrid:
                    draft.Set("virtualRouterId", vrid, s.Position);
                    break;
                case "priority" when _values.Integer(s, 0, 1, 255) is { } p:
                    priority = p;
                    break;
                case "version" when _values.Integer(s, 0, 2, 3) is { } version:
                    draft.Set("version", version, s.Position);
                    break;
                case "advert_int" when _values.Duration(s) is { } interval:
                    draft.Set("advertInterval", interval, s.Position);
                    break;
                case "nopreempt":
                    draft.Set("preempt", false, s.Position);
                    break;
                case "preempt":
                    draft.Set("preempt", true, s.Position);
                    break;
                case "preempt_delay" when _values.Duration(s) is { } delay:
                    draft.Set("preemptDelay", delay, s.Position);
                    break;
                case "accept" or "no_accept":
                    draft.Set("accept", s.Keyword == "accept", s.Position);
                    break;
                case "lower_prio_no_advert":
                    draft.Set("answerLowerPriority", s.Argument(0) is "false" or "off" or "no", s.Position);
                    break;
                case "authentication":
                    Authentication(draft, s);
                    break;
                case "unicast_src_ip":
                    source = _values.Address(s, s.Argument(0));
                    break;
                case "unicast_peer":
                    draft.Set("transport", "unicast", s.Position);
                    foreach (var peer in s.Block ?? [])
                    {
                        if (peer.Words.Count > 1) node.Findings.NotImported(peer, "min_ttl and max_ttl are not in Vigil: a unicast instance takes adverts of any TTL, as keepalived without them");
                        if (_values.Address(peer, peer.Words[0]) is { } address) peers.Add(address);
                    }
                    break;
                case "virtual_ipaddress" or "virtual_ipaddress_excluded":
                    foreach (var vip in s.Block ?? [])
                    {
                        if (VirtualAddress(vip) is { } address)
                        {
                            draft.Add(s.Keyword == "virtual_ipaddress" ? "virtualAddresses" : "excludedAddresses", address, vip.Position);
                        }
                    }
                    break;
                case "virtual_routes" or "virtual_rules":
                    var lines = new RouteLineReader(node.Findings, s.Keyword);
                    foreach (var line in s.Block ?? [])
                    {
                        if ((s.Keyword == "virtual_routes" ? lines.Route(line) : lines.Rule(line)) is { } entry)
                        {
                            draft.Add(s.Keyword == "virtual_routes" ? "virtualRoutes" : "virtualRules", entry, line.Position);
                        }
                    }
                    break;
                case "track_interface":
                    foreach (var track in s.Block ?? [])
                    {
                        var map = new YamlMap().Set("name", track.Words[0]);
                        if (track.Argument(0) == "weight" && _values.Integer(track, 1, -254, 254) is { } weight) map.Set("weight", weight);
                        draft.Add("trackInterfaces", map, track.Position);
                    }
                    break;
                case "track_script":
                    foreach (var track in s.Block ?? [])
                    {
                        var map = new YamlMap().Set("name", track.Words[0]);
                        if (track.Argument(0) == "weight" && _values.Integer(track, 1, -254, 254) is { } weight) map.Set("weight", weight);
                        if (track.Words.Contains("reverse")) node.Findings.NotImported(track, "a reversed weight is not in Vigil yet: negate the weight");
                        draft.Add("trackScripts", map, track.Position);
                    }
                    break;
                case "track_file" or "vrrp_track_file" when s.Block is not null:
                    foreach (var track in s.Block)
                    {
                        TrackFileUse(draft, track);
                    }
                    break;
                case "track_process" when s.Block is not null:
                    foreach (var track in s.Block)
                    {
                        TrackProcessUse(draft, track);
                    }
                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop" or "notify" or "smtp_alert":
                    Notify(draft, s);
                    break;
                case var keyword when Garp.TryGetValue(keyword, out var garp):
                    if ((garp.Duration ? _values.Duration(s) : (object?)_values.Integer(s, 0, garp.Minimum, 255)) is { } value)
                    {
                        draft.Set($"garp.{garp.Field}", value, s.Position);
                    }
                    break;
                case "unicast_ttl":
                    if (_values.Integer(s, 0, 1, 255) is { } ttl) draft.Set("unicastTtl", ttl, s.Position);
                    break;
                case "use_vmac":
                    draft.Set("useVirtualMac", true, s.Position);
                    if (s.Argument(0) is { } name) node.Findings.NotImported(s, $"Vigil names the macvlan itself: vrrp.{{vrid}}, not {name}");
                    break;
                case "vmac_xmit_base" or "native_ipv6":
                    break; // what Vigil does anyway (unicast with a vmac sends from the base interface; the family follows the VIPs)
                case "virtual_router_id" or "priority" or "version" or "advert_int" or "preempt_delay":
                    break; // the value was reported
                default:
                    Unknown(s, "vrrp_instance");
                    break;
            }
        }
        ApplyGarpDefaults(draft);
        // A second instance of the same name is reported (NodeReader) and dropped; its membership must not replace the first's.
        node.Members.TryAdd(draft.Name, new InstanceMember(priority, state, iface, source, peers, block.Position));
        node.Instances.Add(draft);
    }

    private void Authentication(ResourceDraft draft, ConfStatement block)
    {
        foreach (var s in block.Block ?? [])
        {
            switch (s.Keyword)
            {
                case "auth_type" when s.Argument(0) != "PASS":
                    node.Findings.NotImported(s, $"auth_type {s.Argument(0)}: Vigil has PASS only (AH is obsolete, RFC 3768 §5.3.6)");
                    return;
                case "auth_type":
                    draft.Set("authentication.type", "PASS", s.Position);
                    break;
                case "auth_pass":
                    var password = s.Argument(0) ?? "";
                    if (System.Text.Encoding.UTF8.GetByteCount(password) > 8)
                    {
                        // keepalived uses the first 8 bytes and says so; the report never shows the password.
                        password = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(password)[..8]);
                        node.Findings.Translated(s, "the password is longer than 8 bytes: keepalived sends the first 8, and so the import kept those");
                    }
                    draft.Set("authentication.password", password, s.Position);
                    break;
                default:
                    Unknown(s, "authentication");
                    break;
            }
        }
    }

    /// <summary>keepalived's static_ipaddress block: each line as a virtual address's, with the device Vigil requires.</summary>
    public void StaticAddresses(ConfStatement block)
    {
        foreach (var line in block.Block ?? [])
        {
            if (VirtualAddress(line) is not { } address) continue;
            if (address["dev"] is null)
            {
                node.Findings.NotImported(line, "a static address without dev: name its interface");
                continue;
            }
            node.StaticAddresses.Add(address);
        }
    }

    private YamlMap? VirtualAddress(ConfStatement line)
    {
        if (_values.Prefix(line, line.Words[0]) is not { } prefix)
        {
            return null;
        }
        var map = new YamlMap().Set("address", prefix);
        for (var i = 1; i < line.Words.Count; i++)
        {
            var value = i + 1 < line.Words.Count ? line.Words[i + 1] : null;
            switch (line.Words[i])
            {
                case "dev" when value is not null:
                    map.Set("dev", value);
                    i++;
                    break;
                case "scope" when value is "global" or "site" or "link" or "host":
                    map.Set("scope", value);
                    i++;
                    break;
                case "label" when value is not null:
                    map.Set("label", value);
                    i++;
                    break;
                default:
                    node.Findings.NotImported(line, $"'{line.Words[i]}' on a virtual address is not in Vigil yet");
                    return map;
            }
        }
        return map;
    }

    private void TrackFileUse(ResourceDraft draft, ConfStatement track)
    {
        if (!_trackFiles.TryGetValue(track.Words[0], out var file))
        {
            node.Findings.NotImported(track, $"no track_file {track.Words[0]} is defined before this instance");
            return;
        }
        var map = new YamlMap().Set("file", file.File);
        var weight = file.Weight;
        if (track.Argument(0) == "weight" && _values.Integer(track, 1, -254, 254) is { } w)
        {
            weight = w;
        }
        if (weight != 1) map.Set("weight", weight);
        if (track.Words.Contains("reverse")) map.Set("reverse", true);
        draft.Add("trackFiles", map, track.Position);
    }

    private void Notify(ResourceDraft draft, ConfStatement s)
    {
        if (s.Keyword == "smtp_alert")
        {
            draft.Set("notify.email", s.Argument(0) is not ("false" or "off" or "no"), s.Position);
            return;
        }
        if (_values.Script(s) is not { } script)
        {
            return;
        }
        var field = s.Keyword switch
        {
            "notify_master" => "onMaster",
            "notify_backup" => "onBackup",
            "notify_fault" => "onFault",
            "notify_stop" => "onStop",
            _ => "any",
        };
        draft.Set($"notify.{field}", script.Command, s.Position);
        SetUser(draft, "notify.", script.User, script.Group, s.Position);
    }

    /// <summary>One user (and group) for all of a resource's hooks in Vigil: a second, different one is reported.</summary>
    private void SetUser(ResourceDraft draft, string prefix, string? user, string? group, ConfPosition at)
    {
        if (user is null)
        {
            return;
        }
        if (draft.Get(prefix + "user") is string existing && (existing != user || draft.Get(prefix + "group") as string != group))
        {
            node.Findings.Add(new ImportFinding(FindingKind.NotImported, "user", $"Vigil runs all of {draft.Name}'s hooks as one user: {existing} kept, {user} not",
                [draft.PositionOf(prefix + "user"), at]));
            return;
        }
        draft.Set(prefix + "user", user, at);
        if (group is not null) draft.Set(prefix + "group", group, at);
    }

    private void Unknown(ConfStatement s, string where) => Unknowns.Report(node.Findings, s, where);
}

/// <summary>A keyword the import does not carry: why, when it is a known gap; else that Vigil has no such field.</summary>
internal static class Unknowns
{
    public static void Report(NodeFindings findings, ConfStatement s, string where) =>
        findings.NotImported(s, Unsupported.Reasons.TryGetValue(s.Keyword, out var why) ? why : $"no Vigil field for '{s.Keyword}' in {where}");
}
