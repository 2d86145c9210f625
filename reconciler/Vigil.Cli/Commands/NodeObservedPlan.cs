using Vigil.Agent;
using System.Text.Json.Nodes;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Netlink.Rtnetlink;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Cli.Commands;

/// <summary>A running instance as its agent's status reports it.</summary>
internal sealed record EngineInstance(string Name, string State, int Priority);

/// <summary>
/// `vigil plan --node` on a node: what applying the configuration would change against what the engine and the kernel
/// have now. The running agent's status gives its commit and each instance's state; the commit is read back from the
/// agent's clone, so the configuration changes are exact; the kernel's addresses show which VIPs would be added or
/// removed now (on a master) and which only at the next takeover; IPVS is planned against the kernel's table.
/// </summary>
internal sealed record NodeObservedPlan(
    string Node,
    string Agent,
    IReadOnlyList<EngineInstance> Engine,
    IReadOnlyList<ConfigChange> Configuration,
    IReadOnlyList<string> Addresses,
    IpvsPlan? Ipvs,
    bool AgentRuns)
{
    public int ChangeCount => Configuration.Count + Addresses.Count + (Ipvs?.Changes.Count ?? 0);

    /// <summary>
    /// <paramref name="status"/>: the agent's status file, null when no agent runs; <paramref name="stateDirectory"/>: its
    /// clone's directory; <paramref name="kernel"/>: the node's addresses now.
    /// </summary>
    public static NodeObservedPlan Build(DesiredState config, string node, StatusDocument? status, string stateDirectory,
        IReadOnlyList<ObservedAddress> kernel, IpvsPlan? ipvs)
    {
        var engine = status?.Instances.Select(i => new EngineInstance(i.Name, i.State, i.Priority)).ToList() ?? [];
        var commit = status?.Source.Commit;
        var running = commit is null ? null : RunningRevision(stateDirectory, commit, status!.Source.Folder ?? "");
        var next = NodeProjection.For(config, node);
        IReadOnlyList<ConfigChange> configuration;
        string agent;
        if (status is null)
        {
            // Without an agent nothing of VRRP runs; what there is to apply is `vigil apply`'s: IPVS.
            agent = "no agent runs: VRRP is not running here (`vigil agent` starts it); `vigil apply` programs IPVS";
            configuration = [];
        }
        else if (running is not null)
        {
            agent = $"agent pid {status.Pid} runs commit {GitSource.Short(commit!)}";
            configuration = ClusterPlanner.Between(running, config).Nodes.First(n => n.Node == node).Changes;
        }
        else
        {
            // A folder agent (or a clone that cannot be read): only which instances run is known.
            agent = $"agent pid {status.Pid} runs {(commit is null ? "a folder" : $"commit {GitSource.Short(commit)}, not readable from {stateDirectory}")}: instances compared by name";
            configuration = [
                .. engine.Where(e => next.VrrpInstances.All(i => i.Name != e.Name)).Select(e => new ConfigChange(ChangeAction.Delete, ChangeTarget.Instance, e.Name)),
                .. next.VrrpInstances.Where(i => engine.All(e => e.Name != i.Name)).Select(i => new ConfigChange(ChangeAction.Add, ChangeTarget.Instance, i.Name)),
            ];
        }
        return new NodeObservedPlan(node, agent, engine, configuration, AddressChanges(config, next, running, engine, kernel), ipvs, status is not null);
    }

    private static DesiredState? RunningRevision(string stateDirectory, string commit, string folder)
    {
        var clone = Path.Combine(stateDirectory, "clone.git");
        if (!Directory.Exists(clone))
        {
            return null;
        }
        try
        {
            using var commits = new LocalCommits(clone);
            return new DesiredStateLoader().Load(commits.Files(commit, folder), folder).State;
        }
        catch (GitSourceException)
        {
            return null;
        }
    }

    /// <summary>
    /// The VIPs applying would add or remove now: on a master, a new VIP is added and a dropped one removed; on a backup
    /// nothing changes until it takes over. An address the agent does not own (added by hand) is drift, not plan.
    /// </summary>
    private static List<string> AddressChanges(DesiredState config, NodeDesiredState next, DesiredState? running, IReadOnlyList<EngineInstance> engine, IReadOnlyList<ObservedAddress> kernel)
    {
        var observed = engine.Select(e => new ObservedInstance(e.Name, e.State, null, [])).ToList();
        var oldVips = running is null ? [] : NodeProjection.For(running, next.Node).VrrpInstances
            .SelectMany(i => i.VirtualAddresses.Select(v => v.Address.Address)).ToHashSet();
        var changes = new List<string>();
        foreach (var item in DriftDetector.Detect(next, config.ClusterSpec, kernel, observed, []))
        {
            switch (item.Kind)
            {
                case DriftKind.VipMissingOnMaster:
                    changes.Add($"+ {item.Subject} ({item.Instance} is master: added and announced now)");
                    break;
                case DriftKind.VipOutsideMaster:
                    changes.Add($"- {item.Subject} ({item.Instance} is not master: removed now)");
                    break;
                case DriftKind.AddressAdded when item.Address is { } address && oldVips.Contains(address.Address):
                    changes.Add($"- {item.Subject} (no longer a VIP: removed now)");
                    break;
            }
        }
        return changes;
    }

    /// <summary>The kernel's addresses, as the drift detector reads them, in the current or a named namespace.</summary>
    public static IReadOnlyList<ObservedAddress> KernelAddresses(string? netns)
    {
        using var rtnetlink = netns is null ? RtnetlinkClient.Open() : RtnetlinkClient.OpenInNamespace(netns);
        return Vigil.Agent.DriftCheck.Observe(rtnetlink.Addresses(), rtnetlink.Links().ToDictionary(l => l.Index));
    }

    public JsonObject ToJson() => new()
    {
        ["node"] = Node,
        ["agent"] = Agent,
        ["engine"] = new JsonArray([.. Engine.Select(e => (JsonNode)new JsonObject { ["instance"] = e.Name, ["state"] = e.State, ["priority"] = e.Priority })]),
        ["configuration"] = new JsonArray([.. Configuration.Select(c => (JsonNode?)c.ToString())]),
        ["addresses"] = new JsonArray([.. Addresses.Select(a => (JsonNode?)a)]),
        ["ipvs"] = Ipvs is null ? null : Output.IpvsChangePrinter.Json(Node, Ipvs),
        ["changes"] = ChangeCount,
    };

    public void Print(Output.Terminal terminal)
    {
        var writer = terminal.Writer;
        writer.WriteLine($"node {terminal.Bold(Node)}: {Agent}" +
            (Engine.Count == 0 ? "" : $"; engine: {string.Join(", ", Engine.Select(e => $"{e.Name} {e.State} (priority {e.Priority})"))}"));
        void Section(string title, IReadOnlyList<string> lines)
        {
            writer.WriteLine(lines.Count == 0 ? $"{title}: no changes" : $"{title}:");
            foreach (var line in lines)
            {
                writer.WriteLine("  " + (line[0] switch { '+' => terminal.Green(line), '-' => terminal.Red(line), _ => terminal.Yellow(line) }));
            }
        }
        if (AgentRuns)
        {
            Section("configuration", [.. Configuration.Select(c => c.ToString())]);
            Section("kernel addresses", Addresses);
        }
        if (Ipvs is not null)
        {
            Section("IPVS", [.. Ipvs.Changes.Select(c => c.ToString())]);
        }
        writer.WriteLine(ChangeCount == 0 ? "No changes." : $"Plan: {ChangeCount} change(s).");
    }
}
