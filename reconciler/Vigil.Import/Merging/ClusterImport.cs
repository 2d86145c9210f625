using System.Net;
using System.Text.RegularExpressions;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;
using Vigil.Import.Reading;

namespace Vigil.Import.Merging;

/// <summary>
/// `vigil import`: every node's keepalived.conf read, merged into one cluster (instances paired by name, their state
/// and priority made members[], fields that must agree compared), and written as a folder with its IMPORT.md.
/// </summary>
public static partial class ClusterImport
{
    public static ImportResult Run(IConfFiles files, IReadOnlyList<NodeFile> nodes, ImportOptions options)
    {
        var findings = new List<ImportFinding>();
        var errors = new List<string>();
        var confs = new List<NodeConf>();
        foreach (var node in nodes)
        {
            if (files.Read(node.File, out var error) is null)
            {
                errors.Add($"{node.File}: cannot read node {node.Node}'s file: {error}");
                continue;
            }
            // keepalived -i: the node's name picks its @name lines.
            var conf = NodeReader.Read(node.Node, node.File, ConfParser.Parse(files, node.File, node.Node));
            findings.AddRange(conf.Findings.All);
            confs.Add(conf);
        }
        if (errors.Count > 0)
        {
            return new ImportResult(new Dictionary<string, string>(), findings, errors);
        }
        var names = new NameMap(findings);
        var defaultVersion = confs.Select(c => c.Cluster.Get("defaults.vrrpVersion")).OfType<int>().FirstOrDefault(2);
        var instances = MergeInstances(confs, names, findings, defaultVersion);
        var scripts = MergeByName(confs, c => c.Scripts, names, findings, "vrrp_script");
        var groups = MergeByName(confs, c => c.SyncGroups, names, findings, "vrrp_sync_group");
        var services = MergeByName(confs, c => c.VirtualServers, names, findings, "virtual_server");
        names.ApplyReferences(instances, groups);
        SyncGroupWeights(groups, instances, scripts, findings);
        UnusedScripts(scripts, instances, findings);
        var cluster = Cluster(confs, instances, options, findings, errors);
        findings = Combined(findings);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        if (errors.Count == 0)
        {
            written["cluster.yaml"] = Documents(options, [Document("Cluster", options.ClusterName, cluster)]);
            if (scripts.Count > 0) written["vrrp-scripts.yaml"] = Documents(options, scripts.Select(s => Document("VrrpScript", s.Name, s.Spec)));
            if (instances.Count > 0) written["vrrp-instances.yaml"] = Documents(options, instances.Select(i => Document("VrrpInstance", i.Draft.Name, i.Draft.Spec)));
            if (groups.Count > 0) written["sync-groups.yaml"] = Documents(options, groups.Select(g => Document("SyncGroup", g.Name, g.Spec)));
            foreach (var service in services)
            {
                written[$"virtual-servers/{service.Name}.yaml"] = Documents(options, [Document("VirtualServer", service.Name, service.Spec)]);
            }
            written["IMPORT.md"] = ImportReport.Markdown(nodes, findings, written.Keys);
        }
        return new ImportResult(written, findings, errors);
    }

    /// <summary>The same finding in several nodes' files is one line naming every place.</summary>
    private static List<ImportFinding> Combined(List<ImportFinding> findings) =>
        [.. findings.GroupBy(f => (f.Kind, f.Keyword, f.Message)).Select(g => g.First() with { Positions = [.. g.SelectMany(f => f.Positions).Distinct()] })];

    /// <summary>An instance of the cluster: the merged spec, and each node's membership.</summary>
    internal sealed record MergedInstance(ResourceDraft Draft, IReadOnlyList<(NodeConf Node, InstanceMember Member)> Members);

    /// <summary>
    /// An instance one node's file names differently from another's (VI_1 here, VI_WEB there) is the same instance when
    /// it is on the same VRID and interface and each name is in one file only: it takes the first node's name.
    /// </summary>
    private static void PairByVrid(List<NodeConf> confs, List<ImportFinding> findings)
    {
        static (object?, object?) Key(ResourceDraft d) => (d.Get("virtualRouterId"), d.Get("interface"));
        // How many nodes' files name each instance, kept as twins are renamed (counted once: a file of 1,000 instances).
        var files = confs.SelectMany(c => c.Instances.Select(i => i.Name).Distinct()).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        bool Alone(string name) => files.GetValueOrDefault(name) == 1;
        foreach (var (first, index) in confs.Select((c, i) => (c, i)))
        {
            foreach (var instance in first.Instances.Where(i => Alone(i.Name)))
            {
                foreach (var other in confs.Skip(index + 1))
                {
                    if (other.Instances.FirstOrDefault(o => o.Name != instance.Name && Alone(o.Name) && Equals(Key(o), Key(instance))) is not { } twin)
                    {
                        continue;
                    }
                    findings.Add(new ImportFinding(FindingKind.Translated, "vrrp_instance",
                        $"{other.Node}'s {twin.Name} is on VRID {Key(twin).Item1} like {first.Node}'s {instance.Name}: one instance, named {instance.Name}",
                        [instance.Position, twin.Position]));
                    other.Members[instance.Name] = other.Members[twin.Name];
                    other.Members.Remove(twin.Name);
                    files[twin.Name]--;
                    files[instance.Name]++;
                    twin.Name = instance.Name;
                }
            }
        }
    }

    private static List<MergedInstance> MergeInstances(List<NodeConf> confs, NameMap names, List<ImportFinding> findings, int defaultVersion)
    {
        PairByVrid(confs, findings);
        var merged = new List<MergedInstance>();
        var byName = ByName(confs, c => c.Instances);
        names.Reserve("VrrpInstance", byName.Select(n => n.Name));
        foreach (var (name, drafts) in byName)
        {
            var draft = ResourceMerger.Merge(drafts, findings, $"vrrp_instance {name}");
            names.Name(draft, "VrrpInstance");
            List<(NodeConf Node, InstanceMember Member)> members = [.. drafts.Select(d => confs.First(c => c.Node == d.Node)).Select(c => (c, c.Members[name]))];
            var spec = draft.Spec;
            RoundVersion2Interval(draft, defaultVersion, findings);
            if (draft.Get("garp.lowerPriorityDelay") is null)
            {
                findings.Add(new ImportFinding(FindingKind.Translated, "garp_lower_prio_delay",
                    "a master that hears a lower-priority advert announces its VIPs again 100 ms later in Vigil (garp.lowerPriorityDelay), where keepalived waits garp_master_delay (5 s): clients the other router pointed at itself come back sooner",
                    [draft.Position]));
            }
            var list = new List<object>();
            foreach (var (node, member) in members)
            {
                list.Add(new YamlMap().Set("node", node.Node).Set("priority", member.Priority));
            }
            spec.Set("members", list);
            var highest = members.Max(m => m.Member.Priority);
            foreach (var (node, member) in members.Where(m => m.Member.State == "MASTER" && m.Member.Priority < highest))
            {
                findings.Add(new ImportFinding(FindingKind.Translated, "state",
                    $"vrrp_instance {name}: {node.Node} starts as MASTER with priority {member.Priority}, below another member's {highest}: Vigil elects by priority from the start, as keepalived does after the first advert",
                    [member.Position]));
            }
            merged.Add(new MergedInstance(draft, members));
        }
        return merged;
    }

    /// <summary>keepalived rounds a VRRPv2 advert interval to whole seconds (half up, at least 1s), and says so.</summary>
    private static void RoundVersion2Interval(ResourceDraft draft, int defaultVersion, List<ImportFinding> findings)
    {
        if ((draft.Get("version") as int? ?? defaultVersion) != 2 || draft.Get("advertInterval") is not string text
            || !Vigil.Core.Desired.Durations.TryParse(text, out var interval) || interval.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return;
        }
        var rounded = Math.Max(1, (long)Math.Floor(interval.TotalSeconds + 0.5));
        var at = draft.PositionOf("advertInterval");
        draft.Set("advertInterval", $"{rounded}s", at);
        findings.Add(new ImportFinding(FindingKind.Translated, "advert_int",
            $"vrrp_instance {draft.Name}: VRRPv2 adverts are whole seconds, and keepalived rounds {text} to {rounded}s: advertInterval: {rounded}s is written (version 3 for sub-second adverts)", [at]));
    }

    /// <summary>Each name's drafts, node by node, taken before any is renamed (a rename must not join another name's).</summary>
    private static List<(string Name, List<(string Node, ResourceDraft Draft)> Drafts)> ByName(List<NodeConf> confs, Func<NodeConf, List<ResourceDraft>> of) =>
        [.. confs.SelectMany(c => of(c).Select(d => (c.Node, Draft: d))).GroupBy(d => d.Draft.Name, StringComparer.Ordinal).Select(g => (g.Key, g.ToList()))];

    private static List<ResourceDraft> MergeByName(List<NodeConf> confs, Func<NodeConf, List<ResourceDraft>> of, NameMap names, List<ImportFinding> findings, string what)
    {
        var merged = new List<ResourceDraft>();
        var byName = ByName(confs, of);
        if (byName.Count > 0)
        {
            names.Reserve(byName[0].Drafts[0].Draft.Kind, byName.Select(n => n.Name));
        }
        foreach (var (name, drafts) in byName)
        {
            var draft = ResourceMerger.Merge(drafts, findings, $"{what} {name}");
            names.Name(draft, draft.Kind);
            merged.Add(draft);
        }
        return merged;
    }

    /// <summary>keepalived ignores tracking weights in a sync group without sync_group_tracking_weight: a failure is a fault.</summary>
    private static void SyncGroupWeights(List<ResourceDraft> groups, List<MergedInstance> instances, List<ResourceDraft> scripts, List<ImportFinding> findings)
    {
        foreach (var group in groups.ToList())
        {
            var applied = group.Get("trackingWeight") is true;
            group.Spec.Set("trackingWeight", null);
            var members = (group.Get("instances") as List<object> ?? []).OfType<string>().ToList();
            foreach (var instance in instances.Where(i => !applied && members.Contains(i.Draft.Name)))
            {
                IgnoredWeights(instance.Draft, group.Name, scripts, findings);
            }
            if (members.Count < 2)
            {
                findings.Add(new ImportFinding(FindingKind.NotImported, "vrrp_sync_group",
                    $"{group.Name} has {members.Count} instance(s): a Vigil SyncGroup needs 2 or more, and one instance alone needs none", [group.Position]));
                groups.Remove(group);
            }
        }
    }

    /// <summary>
    /// What keepalived does to an instance of a sync group without sync_group_tracking_weight (vrrp.c): a weighted
    /// interface counts with weight 0 (down is a fault), a weighted script is not tracked at all, a track file of the
    /// default weight 1 counts with 0 and one of another weight is not tracked. Vigil applies weights, so the import
    /// writes what keepalived does.
    /// </summary>
    private static void IgnoredWeights(ResourceDraft instance, string group, List<ResourceDraft> scripts, List<ImportFinding> findings)
    {
        foreach (var list in new[] { "trackInterfaces", "trackScripts", "trackFiles" })
        {
            if (instance.Get(list) is not List<object> tracks)
            {
                continue;
            }
            for (var i = tracks.Count - 1; i >= 0; i--)
            {
                var track = (YamlMap)tracks[i];
                var weight = track["weight"] as int?
                    ?? (list == "trackScripts" ? scripts.FirstOrDefault(s => s.Name == track["name"] as string)?.Get("weight") as int? ?? 0 : list == "trackFiles" ? 1 : 0);
                if (weight == 0)
                {
                    continue;
                }
                var drop = list == "trackScripts" || (list == "trackFiles" && weight != 1);
                var what = track["name"] ?? track["file"];
                findings.Add(new ImportFinding(FindingKind.Translated, list,
                    $"{instance.Name} is in sync group {group} without sync_group_tracking_weight: keepalived {(drop ? $"does not track {what} (weight {weight}), so neither does the import" : $"ignores {what}'s weight {weight} (a failure is a fault), so weight: 0 is written")}",
                    [instance.PositionOf($"{list}[{i}]")]));
                if (drop)
                {
                    tracks.RemoveAt(i);
                }
                else
                {
                    track.Set("weight", 0);
                }
            }
            if (tracks.Count == 0)
            {
                instance.Spec.Set(list, null);
            }
        }
    }

    /// <summary>keepalived runs no vrrp_script that no instance tracks; Vigil would. Such a script is not written.</summary>
    private static void UnusedScripts(List<ResourceDraft> scripts, List<MergedInstance> instances, List<ImportFinding> findings)
    {
        var tracked = instances.SelectMany(i => (i.Draft.Get("trackScripts") as List<object> ?? []).OfType<YamlMap>().Select(t => t["name"] as string)).ToHashSet();
        foreach (var script in scripts.Where(s => !tracked.Contains(s.Name)).ToList())
        {
            findings.Add(new ImportFinding(FindingKind.Translated, "vrrp_script",
                $"{script.Name} is tracked by no instance: keepalived does not run it, and the import does not write it", [script.Position]));
            scripts.Remove(script);
        }
    }

    private static YamlMap Cluster(List<NodeConf> confs, List<MergedInstance> instances, ImportOptions options, List<ImportFinding> findings, List<string> errors)
    {
        var cluster = ResourceMerger.Merge([.. confs.Select(c => (c.Node, c.Cluster))], findings, "global_defs").Spec;
        foreach (var conf in confs.Where(c => c.HasScripts))
        {
            if (cluster["scripts"] is null)
            {
                cluster.Map("scripts").Set("user", "root");
                findings.Add(new ImportFinding(FindingKind.DefaultWritten, "script_user",
                    "no script_user: keepalived runs scripts as root where no keepalived_script user exists, Vigil as vigil-script or nobody; scripts.user: root is written to keep them working (name a user without root if they need none)",
                    [new ConfPosition(conf.File, 1)]));
            }
            if (!conf.ScriptSecurity)
            {
                findings.Add(new ImportFinding(FindingKind.Translated, "enable_script_security",
                    $"{conf.Node} has no enable_script_security: keepalived would run a root script that others can change; Vigil refuses it",
                    [new ConfPosition(conf.File, 1)]));
            }
        }
        var nodes = new List<object>();
        foreach (var conf in confs)
        {
            var node = new YamlMap().Set("name", conf.Node);
            if (conf.RouterId is { } id && id != conf.Node) node.Set("routerId", id);
            var interfaces = new List<(string Name, List<string> Prefixes)>();
            void Add(string iface, string prefix)
            {
                var entry = interfaces.FirstOrDefault(i => i.Name == iface);
                if (entry.Prefixes is null) interfaces.Add(entry = (iface, []));
                if (!entry.Prefixes.Any(p => SameAddress(p, prefix))) entry.Prefixes.Add(prefix);
            }
            foreach (var given in options.Addresses.Where(a => a.Node == conf.Node))
            {
                Add(given.Interface, given.Prefix);
            }
            foreach (var (instance, member) in instances.SelectMany(i => i.Members.Where(m => m.Node == conf).Select(m => (i, m.Member))))
            {
                if (member.SourceAddress is { } source && member.Interface is { } iface && !interfaces.Any(i => i.Name == iface && i.Prefixes.Any(p => SameAddress(p, source))))
                {
                    var host = source.Contains(':', StringComparison.Ordinal) ? 128 : 32;
                    Add(iface, $"{source}/{host}");
                    findings.Add(new ImportFinding(FindingKind.Translated, "unicast_src_ip",
                        $"{conf.Node}'s address on {iface} is {source}, length unknown: /{host} is written (give --address {conf.Node}:{iface}={source}/LEN for the real one)",
                        [member.Position]));
                }
            }
            if (interfaces.Count > 0)
            {
                node.Set("interfaces", interfaces.Select(i => (object)new YamlMap().Set("name", i.Name).Set("addresses", i.Prefixes.Cast<object>().ToList())).ToList());
            }
            if (conf.StaticAddresses.Count > 0) node.Set("staticAddresses", conf.StaticAddresses.Cast<object>().ToList());
            if (conf.StaticRoutes.Count > 0) node.Set("staticRoutes", conf.StaticRoutes.Cast<object>().ToList());
            if (conf.StaticRules.Count > 0) node.Set("staticRules", conf.StaticRules.Cast<object>().ToList());
            nodes.Add(node);
        }
        cluster.Set("nodes", nodes);
        Unicast(instances, options, findings, errors);
        return cluster;
    }

    /// <summary>Vigil derives each member's unicast peers from the others' addresses: keepalived's unicast_peer lists must say the same.</summary>
    private static void Unicast(List<MergedInstance> instances, ImportOptions options, List<ImportFinding> findings, List<string> errors)
    {
        foreach (var instance in instances.Where(i => i.Draft.Get("transport") as string == "unicast"))
        {
            var external = new List<string>();
            var sources = instance.Members.ToDictionary(m => m.Node.Node, m => m.Member.SourceAddress
                ?? options.Addresses.FirstOrDefault(a => a.Node == m.Node.Node && a.Interface == m.Member.Interface)?.Prefix.Split('/')[0]);
            foreach (var (node, member) in instance.Members)
            {
                if (sources[node.Node] is null)
                {
                    errors.Add($"{member.Position}: vrrp_instance {instance.Draft.Name} is unicast, and {node.Node}'s address on {member.Interface} is not known: add unicast_src_ip, or --address {node.Node}:{member.Interface}=ADDR/LEN");
                }
                var members = sources.Where(s => s.Key != node.Node && s.Value is not null).Select(s => IPAddress.Parse(s.Value!)).ToList();
                foreach (var peer in member.Peers.Where(p => !members.Contains(IPAddress.Parse(p)) && !external.Contains(IPAddress.Parse(p).ToString())))
                {
                    external.Add(IPAddress.Parse(peer).ToString());
                    findings.Add(new ImportFinding(FindingKind.Translated, "unicast_peer",
                        $"vrrp_instance {instance.Draft.Name}: {node.Node}'s peer {peer} is no member's address: written as an external peer (a router outside the cluster, which every member sends to); import its file too once it moves",
                        [member.Position]));
                }
            }
            if (external.Count > 0)
            {
                instance.Draft.Set("externalPeers", external.Cast<object>().ToList(), instance.Draft.Position);
            }
        }
    }

    private static bool SameAddress(string prefix, string address) =>
        IPAddress.Parse(prefix.Split('/')[0]).Equals(IPAddress.Parse(address.Split('/')[0]));

    private static YamlMap Document(string kind, string name, YamlMap spec)
    {
        var document = new YamlMap().Set("apiVersion", "vigil/v1").Set("kind", kind);
        document.Map("metadata").Set("name", name);
        return document.Set("spec", spec);
    }

    /// <summary>How every file the import writes begins (after the schema line): how a later import knows its own.</summary>
    public const string Header = "# Imported from keepalived by vigil import";

    private static string Documents(ImportOptions options, IEnumerable<YamlMap> documents) =>
        $"# yaml-language-server: $schema={options.Schema}\n{Header}: see IMPORT.md for what changed form and what was not carried over.\n"
        + string.Join("---\n", documents.Select(d => d.ToYaml()));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    internal static partial Regex ValidName();
}
