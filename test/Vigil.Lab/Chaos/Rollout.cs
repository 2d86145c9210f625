using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>One textual edit of a file in a node's configuration folder.</summary>
public sealed record FileEdit(string File, string From, string To)
{
    public void ApplyTo(string folder)
    {
        var path = Path.Combine(folder, File);
        var text = System.IO.File.ReadAllText(path);
        if (!text.Contains(From, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} has no '{From}'");
        }
        System.IO.File.WriteAllText(path, text.Replace(From, To, StringComparison.Ordinal));
    }
}

/// <summary>
/// A change a rollout carries to each node (<see cref="Edits"/> of the node's configuration folder), from the state
/// <see cref="Before"/> makes of the lab's (ka1 100, ka2 80, one VIP, VRID 51), in <see cref="Scenario"/>.
/// </summary>
public sealed record RolloutChange(string Name, IReadOnlyList<FileEdit> Edits)
{
    public Scenario Scenario { get; init; } = new(Version: 3, Interval: "100ms");

    /// <summary>Applied to both nodes' folders before the daemons start.</summary>
    public IReadOnlyList<FileEdit> Before { get; init; } = [];

    /// <summary>Files written to both nodes' folders before the daemons start (name, text).</summary>
    public IReadOnlyList<(string File, string Text)> Files { get; init; } = [];

    /// <summary>The node that must be master once both have the change (a change of priority may move mastership on purpose).</summary>
    public string Master { get; init; } = "ka1";

    public void Prepare(string folder)
    {
        foreach (var (file, text) in Files)
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }
        foreach (var edit in Before)
        {
            edit.ApplyTo(folder);
        }
    }

    public void ApplyTo(string folder)
    {
        foreach (var edit in Edits)
        {
            edit.ApplyTo(folder);
        }
    }

    private const string Vip = "    - address: 198.51.100.100/24";
    private const string SecondVip = "\n    - address: 198.51.100.101/24";
    private const string Vrid = "  virtualRouterId: 51";
    private static readonly Scenario Version2 = new(Version: 2, Interval: "1s");

    /// <summary>A second instance on both nodes (VRID 52, ka1 master), the one a VIP moves to.</summary>
    private const string SecondInstance = """
        apiVersion: vigil/v1
        kind: VrrpInstance
        metadata:
          name: vi_2
        spec:
          virtualRouterId: 52
          members:
            - node: ka1
              priority: 100
            - node: ka2
              priority: 80
          virtualAddresses:
            - address: 198.51.100.102/24
        """;

    /// <summary>The kinds of change the change-order table covers.</summary>
    public static readonly RolloutChange[] All =
    [
        new("vip-added", [new("vi_1.yaml", Vip, Vip + SecondVip)]),
        new("vip-removed", [new("vi_1.yaml", Vip + SecondVip, Vip)]) { Before = [new("vi_1.yaml", Vip, Vip + SecondVip)] },
        new("vip-moved",
            [new("vi_1.yaml", Vip + SecondVip, Vip), new("vi_2.yaml", "    - address: 198.51.100.102/24", "    - address: 198.51.100.102/24" + SecondVip)])
        {
            Before = [new("vi_1.yaml", Vip, Vip + SecondVip)],
            Files = [("vi_2.yaml", SecondInstance)],
        },
        new("interval", [new("cluster.yaml", "advertInterval: 100ms", "advertInterval: 200ms")]),
        new("priority-down", [new("vi_1.yaml", "      priority: 100", "      priority: 90")]),
        new("priority-handover", [new("vi_1.yaml", "      priority: 80", "      priority: 110")]) { Master = "ka2" },
        new("auth-added", [new("vi_1.yaml", Vrid, Vrid + "\n  authentication:\n    password: rollout1")]) { Scenario = Version2 },
        new("version", [new("cluster.yaml", "vrrpVersion: 2", "vrrpVersion: 3")]) { Scenario = Version2 },
        new("transport", [new("vi_1.yaml", Vrid, Vrid + "\n  transport: unicast")]),
        new("vrid", [new("vi_1.yaml", Vrid, "  virtualRouterId: 53")]),
    ];
}

/// <summary>
/// One rollout order on a pair: the change reaches one node (its configuration rewritten, then a reload: SIGHUP for
/// both Vigil and keepalived), the pair is watched for longer than a takeover takes, then the other node. The figures
/// say whether the order moved the VIP (a takeover) or made two masters: the facts of the change-order table.
/// </summary>
public static class Rollout
{
    public static ChaosOutcome Run(Daemon ka1, Daemon ka2, RolloutChange change, bool masterFirst)
    {
        using var run = new ChaosRun(change.Scenario, ka1, ka2, perNodeConfig: true, prepare: change.Prepare);
        var lab = run.Lab;
        // Three Master_Down_Intervals: a backup that discards the master's adverts has taken over by then.
        var watch = 3 * run.Scenario.MasterDownInterval + TimeSpan.FromMilliseconds(500);
        foreach (var (node, daemon, process) in masterFirst
            ? new[] { ("ka1", ka1, run.Ka1), ("ka2", ka2, run.Ka2) }
            : [("ka2", ka2, run.Ka2), ("ka1", ka1, run.Ka1)])
        {
            change.ApplyTo(lab.NodeConfig[node]);
            if (daemon == Daemon.Keepalived)
            {
                lab.WriteKeepalivedConf(node);
            }
            var reloaded = Takeover.Now();
            NamespaceLab.Signal(process, "HUP");
            FailoverLab.WaitUntil(() => Takeover.Now() > reloaded + watch.TotalSeconds, watch + TimeSpan.FromSeconds(1));
        }
        return run.End($"rollout {change.Name}, {(masterFirst ? "master first" : "backup first")}", takeoversExpected: change.Master == "ka1" ? 0 : 1,
            enforce: false, master: change.Master);
    }
}
