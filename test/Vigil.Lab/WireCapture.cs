using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Demo;

namespace Vigil.Lab;

/// <summary>What a frame was; for <see cref="ArpReply"/> the event's Destination is the MAC the reply says the address is at.</summary>
public enum WireKind { Advert, GratuitousArp, NeighborAdvert, ArpReply }

/// <summary>One frame seen on the lab's bridge, with the kernel's capture time (seconds since the epoch).</summary>
public sealed record WireEvent(double Time, string Mac, WireKind Kind, string Source, string Destination, int Priority, string Address)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Time:F6} {Mac} {Kind} {Source} > {Destination} prio {Priority} {Address}");
}

/// <summary>
/// tcpdump on the lab's bridge: the independent witness of what went on the wire and when. Parses VRRP adverts,
/// gratuitous ARPs, ARP replies and unsolicited neighbour advertisements out of `tcpdump -e -n -tt` lines.
/// </summary>
public sealed partial class WireCapture : IDisposable
{
    private readonly ConcurrentQueue<WireEvent> _events = new();
    private readonly ManualResetEventSlim _listening = new();

    public WireCapture(NamespaceLab lab)
    {
        lab.Start(lab.BridgeNamespace, "tcpdump", ["-i", "br0", "-e", "-n", "-tt", "-l", "--immediate-mode", "ip proto 112 or ip6 proto 112 or arp or icmp6"], OnLine);
        if (!_listening.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("tcpdump did not start listening on the lab's bridge");
        }
    }

    public IReadOnlyList<WireEvent> Events => [.. _events];

    /// <summary>Waits for an event matching <paramref name="match"/>; null after <paramref name="timeout"/>.</summary>
    public WireEvent? WaitFor(Func<WireEvent, bool> match, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var found = _events.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }
            Thread.Sleep(10);
        }
        return null;
    }

    public void Dispose() => _listening.Dispose();

    public string Dump() => string.Join('\n', _events.Select(e => e.ToString()));

    private void OnLine(string line)
    {
        if (line.StartsWith("listening on", StringComparison.Ordinal))
        {
            _listening.Set();
            return;
        }
        var frame = Frame().Match(line);
        if (!frame.Success)
        {
            return;
        }
        var time = double.Parse(frame.Groups["t"].Value, CultureInfo.InvariantCulture);
        var mac = frame.Groups["mac"].Value;
        var rest = frame.Groups["rest"].Value;
        if (Vrrp().Match(rest) is { Success: true } vrrp)
        {
            _events.Enqueue(new(time, mac, WireKind.Advert, vrrp.Groups["src"].Value, vrrp.Groups["dst"].Value, int.Parse(vrrp.Groups["prio"].Value, CultureInfo.InvariantCulture), ""));
        }
        else if (Garp().Match(rest) is { Success: true } garp)
        {
            _events.Enqueue(new(time, mac, WireKind.GratuitousArp, garp.Groups["ip"].Value, "broadcast", 0, garp.Groups["ip"].Value));
        }
        else if (ArpReply().Match(rest) is { Success: true } reply)
        {
            _events.Enqueue(new(time, mac, WireKind.ArpReply, reply.Groups["ip"].Value, reply.Groups["mac"].Value, 0, reply.Groups["ip"].Value));
        }
        else if (NeighborAdvert().Match(rest) is { Success: true } na)
        {
            _events.Enqueue(new(time, mac, WireKind.NeighborAdvert, na.Groups["src"].Value, "ff02::1", 0, na.Groups["ip"].Value));
        }
    }

    [GeneratedRegex(@"^(?<t>\d+\.\d+) (?<mac>[0-9a-f:]{17}) > \S+, ethertype \S+ \(0x[0-9a-f]+\), length \d+: (?<rest>.*)$")]
    private static partial Regex Frame();

    // tcpdump notes a TTL other than 255, "(ttl 64), ", as keepalived's IPv6 unicast adverts have.
    [GeneratedRegex(@"^(?<src>\S+) > (?<dst>\S+): VRRPv\d, Advertisement, (?:\(ttl \d+\), )?vrid \d+, prio (?<prio>\d+)")]
    private static partial Regex Vrrp();

    [GeneratedRegex(@"^Request who-has (?<ip>\S+) \(ff:ff:ff:ff:ff:ff\) tell \k<ip>,")]
    private static partial Regex Garp();

    [GeneratedRegex(@"^Reply (?<ip>\S+) is-at (?<mac>[0-9a-f:]{17}),")]
    private static partial Regex ArpReply();

    [GeneratedRegex(@"^(?<src>\S+) > ff02::1: ICMP6, neighbor advertisement, tgt is (?<ip>[^,\s]+)")]
    private static partial Regex NeighborAdvert();
}
