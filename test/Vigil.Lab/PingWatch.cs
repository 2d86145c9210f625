using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Lab;

/// <summary>The client pings the VIP every 20 ms (iputils ping, timestamps on): the longest silence is the outage it saw.</summary>
public sealed partial class PingWatch : IDisposable
{
    private readonly ConcurrentQueue<double> _replies = new();
    private readonly System.Diagnostics.Process _ping;

    public PingWatch(FailoverLab lab)
    {
        _ping = lab.Lab.Start(lab.Client, "ping", ["-D", "-n", "-i", "0.02", lab.Scenario.Vip], line =>
        {
            if (Reply().Match(line) is { Success: true } m)
            {
                _replies.Enqueue(double.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture));
            }
        });
        if (!FailoverLab.WaitUntil(() => !_replies.IsEmpty, TimeSpan.FromSeconds(5)))
        {
            throw new InvalidOperationException("the client got no ping reply from the VIP before the failover");
        }
    }

    /// <summary>The longest time between two replies, after waiting for replies to come back.</summary>
    public TimeSpan LongestGap() => LongestSilence().Length;

    /// <summary>The longest time between two replies and when it began, after waiting for replies to come back.</summary>
    public (double From, TimeSpan Length) LongestSilence()
    {
        var count = _replies.Count;
        FailoverLab.WaitUntil(() => _replies.Count > count + 10, TimeSpan.FromSeconds(5));
        var times = _replies.ToArray();
        var (from, length) = times.Zip(times.Skip(1), (a, b) => (a, b - a)).DefaultIfEmpty((0, 0)).MaxBy(g => g.Item2);
        return (from, TimeSpan.FromSeconds(length));
    }

    public void Dispose() => Demo.NamespaceLab.Signal(_ping, "TERM");

    [GeneratedRegex(@"^\[(?<t>\d+\.\d+)\] \d+ bytes from")]
    private static partial Regex Reply();
}
