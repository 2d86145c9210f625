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
    public TimeSpan LongestGap()
    {
        var count = _replies.Count;
        FailoverLab.WaitUntil(() => _replies.Count > count + 10, TimeSpan.FromSeconds(5));
        var times = _replies.ToArray();
        return TimeSpan.FromSeconds(times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max());
    }

    public void Dispose() => Demo.NamespaceLab.Signal(_ping, "TERM");

    [GeneratedRegex(@"^\[(?<t>\d+\.\d+)\] \d+ bytes from")]
    private static partial Regex Reply();
}
