using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>The VIP appeared on (<see cref="Holds"/>) or left a node's eth0, when its kernel said so.</summary>
public sealed record HoldChange(double Time, string Node, bool Holds);

/// <summary>
/// Who holds the VIP, as the nodes' kernels tell it (`ip -ts -o monitor address` in each node's namespace), so that
/// "no node held the VIP" and "two nodes held it" are measured from the kernel rather than inferred from adverts.
/// </summary>
public sealed partial class VipHolders
{
    private const string Marker = "203.0.113.254";
    private readonly ConcurrentQueue<HoldChange> _changes = new();
    private readonly ConcurrentDictionary<string, bool> _markerSeen = new();
    private readonly string _vip;

    public VipHolders(FailoverLab lab, params LabHost[] nodes)
    {
        _vip = lab.Scenario.Vip;
        Started = Takeover.Now();
        foreach (var node in nodes)
        {
            lab.Lab.Start(node, "ip", ["-ts", "-o", "monitor", "address", "dev", "eth0"], line => OnLine(node.Name, line));
            // The monitor prints nothing when it is listening: an address added and removed again says that it is.
            var ready = FailoverLab.WaitUntil(() =>
            {
                NamespaceLab.Run("ip", "-n", node.Namespace, "addr", "replace", Marker + "/32", "dev", "eth0");
                return FailoverLab.WaitUntil(() => _markerSeen.ContainsKey(node.Name), TimeSpan.FromMilliseconds(200));
            }, TimeSpan.FromSeconds(5));
            NamespaceLab.Run("ip", "-n", node.Namespace, "addr", "del", Marker + "/32", "dev", "eth0");
            LabException.ThrowUnless(ready, $"ip monitor did not start in {node.Name}");
            _changes.Enqueue(new(Takeover.Now(), node.Name, lab.Lab.Holds(node, _vip)));
        }
    }

    public double Started { get; }

    public IReadOnlyList<HoldChange> Changes => [.. _changes];

    private void OnLine(string node, string line)
    {
        if (Change().Match(line) is not { Success: true } m)
        {
            return;
        }
        var address = m.Groups["address"].Value;
        if (address == Marker)
        {
            _markerSeen[node] = true;
            return;
        }
        if (address != _vip)
        {
            return;
        }
        // ip prints its local time; the lab compares it with tcpdump's seconds since the epoch.
        var local = DateTime.ParseExact(m.Groups["t"].Value, "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);
        _changes.Enqueue(new(new DateTimeOffset(local).ToUnixTimeMilliseconds() / 1000.0 + (local.Ticks % TimeSpan.TicksPerMillisecond) / (double)TimeSpan.TicksPerSecond,
            node, !m.Groups["deleted"].Success));
    }

    // With a dev filter, ip prints the timestamp of each message it then filters out: the last one is this line's.
    [GeneratedRegex(@"^(?:\[[^\]]+\] )*\[(?<t>[^\]]+)\] (?<deleted>Deleted )?\d+: eth0\s+inet6? (?<address>[^/\s]+)/")]
    private static partial Regex Change();
}
