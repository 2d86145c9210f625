using System.Diagnostics;
using System.Globalization;
using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>
/// Faults injected for real into a node of the lab: nftables rules in its namespace (this host's kernel has no netem),
/// signals to its daemon, its links taken down and up, busy loops beside it.
/// </summary>
public static class NodeFaults
{
    private const string Table = "vigil_chaos";

    /// <summary>
    /// The node loses VRRP packets it would receive: <paramref name="percent"/> of them at random, or all of them from
    /// <paramref name="from"/> (an address) when given.
    /// </summary>
    public static void DropVrrp(LabHost node, int percent = 100, string? from = null)
    {
        Nft(node, "add", "table", "inet", Table);
        Nft(node, "add", "chain", "inet", Table, "in", "{ type filter hook input priority 0; }");
        IEnumerable<string> match = from is null ? [] : [from.Contains(':', StringComparison.Ordinal) ? "ip6" : "ip", "saddr", from];
        IEnumerable<string> sample = percent >= 100 ? [] : ["numgen", "random", "mod", "100", "<", percent.ToString(CultureInfo.InvariantCulture)];
        Nft(node, ["add", "rule", "inet", Table, "in", .. match, "meta", "l4proto", "112", .. sample, "drop"]);
    }

    /// <summary>Removes every rule <see cref="DropVrrp"/> added to the node.</summary>
    public static void Heal(LabHost node) => Nft(node, "delete", "table", "inet", Table);

    /// <summary>Takes <paramref name="device"/> of the node down and up again, each <paramref name="every"/>, for <paramref name="duration"/>; it ends up.</summary>
    public static int FlapLink(LabHost node, string device, TimeSpan every, TimeSpan duration)
    {
        var flaps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Link(node, device, "down");
            Thread.Sleep(every);
            Link(node, device, "up");
            Thread.Sleep(every);
            flaps++;
        }
        return flaps;
    }

    public static void Link(LabHost node, string device, string state)
    {
        var (exitCode, output) = NamespaceLab.Run("ip", "-n", node.Namespace, "link", "set", device, state);
        LabException.ThrowUnless(exitCode == 0, $"ip link set {device} {state} in {node.Name}: {output}");
    }

    /// <summary>Busy loops started in the node's namespace (the lab stops them on dispose; <see cref="Stop"/> sooner).</summary>
    public static IReadOnlyList<Process> CpuHogs(NamespaceLab lab, LabHost node, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => lab.Start(node, "/bin/sh", ["-c", "while :; do :; done"]))];

    public static void Stop(IEnumerable<Process> processes)
    {
        foreach (var process in processes)
        {
            NamespaceLab.Signal(process, "KILL");
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Whether nft is here to inject packet loss.</summary>
    public static string? SkipReason => File.Exists("/usr/sbin/nft") ? null : "nft is not installed (test/run installs nftables)";

    private static void Nft(LabHost node, params string[] arguments)
    {
        var (exitCode, output) = NamespaceLab.Run("ip", ["netns", "exec", node.Namespace, "nft", .. arguments]);
        LabException.ThrowUnless(exitCode == 0, $"nft {string.Join(' ', arguments)} in {node.Name}: {output}");
    }
}
