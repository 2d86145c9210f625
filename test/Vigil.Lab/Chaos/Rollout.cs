using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>A change a rollout carries to each node: an edit of the node's configuration folder.</summary>
public sealed record RolloutChange(string Name, string File, string From, string To)
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

    /// <summary>The kinds of change the change-order table covers (on the lab's instance: ka1 100, ka2 80, one VIP).</summary>
    public static readonly RolloutChange[] All =
    [
        new("vip-added", "vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24"),
        new("interval", "cluster.yaml", "advertInterval: 100ms", "advertInterval: 200ms"),
        new("priority-down", "vi_1.yaml", "      priority: 100", "      priority: 90"),
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
        using var run = new ChaosRun(new Scenario(Version: 3, Interval: "100ms"), ka1, ka2, perNodeConfig: true);
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
        return run.End($"rollout {change.Name}, {(masterFirst ? "master first" : "backup first")}", takeoversExpected: 0, enforce: false);
    }
}
