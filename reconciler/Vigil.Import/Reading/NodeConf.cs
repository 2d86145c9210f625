using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Reading;

/// <summary>This node's part in one VRRP instance: what the cluster's members[] and nodes[] are made of.</summary>
public sealed record InstanceMember(int Priority, string State, string? Interface, string? SourceAddress, IReadOnlyList<string> Peers, ConfPosition Position);

/// <summary>Everything one node's keepalived.conf says, as drafts of Vigil's resources.</summary>
public sealed class NodeConf(string node, string file)
{
    public string Node { get; } = node;
    public string File { get; } = file;
    public string? RouterId { get; set; }
    public ConfPosition? RouterIdAt { get; set; }

    /// <summary>The Cluster fields a node's global_defs sets (notification, scripts, defaults); nodes[] is the merger's.</summary>
    public ResourceDraft Cluster { get; } = new("Cluster", "", new ConfPosition(file, 1));
    public List<ResourceDraft> Scripts { get; } = [];
    public List<ResourceDraft> Instances { get; } = [];
    public List<ResourceDraft> SyncGroups { get; } = [];
    public List<ResourceDraft> VirtualServers { get; } = [];
    public Dictionary<string, InstanceMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>static_routes and static_rules: this node's own, for its nodes[] entry.</summary>
    public List<Output.YamlMap> StaticAddresses { get; } = [];
    public List<Output.YamlMap> StaticRoutes { get; } = [];
    public List<Output.YamlMap> StaticRules { get; } = [];
    public NodeFindings Findings { get; } = new();

    /// <summary>
    /// global_defs' vrrp_garp_* and vrrp_min_garp: the garp fields keepalived copies into each instance defined after
    /// them (the field, its value, and the global statement that set it).
    /// </summary>
    public Dictionary<string, (object Value, ConfPosition At)> GarpDefaults { get; } = new(StringComparer.Ordinal);

    /// <summary>keepalived's top-level SSL block (certificate and key): every SSL_GET's client certificate.</summary>
    public Output.YamlMap? ClientCertificate { get; set; }

    /// <summary>Whether global_defs has enable_script_security (Vigil always refuses unsafe scripts when it runs as root).</summary>
    public bool ScriptSecurity { get; set; }

    /// <summary>Whether the file runs any script: vrrp_script, notify hook or misc check.</summary>
    public bool HasScripts => Scripts.Count > 0
        || Instances.Concat(SyncGroups).Any(d => d.Spec["notify"] is Output.YamlMap notify && notify.Entries.Any(e => e.Key is not ("email" or "user" or "group")))
        || VirtualServers.Any(d => d.Spec.Leaves().Any(l => l.Path.EndsWith(".script", StringComparison.Ordinal) || l.Path.Contains("notify.on", StringComparison.Ordinal)));
}
