using System.Globalization;

namespace Vigil.Lab;

/// <summary>
/// What the two nodes run: one VRRP instance, VRID 51, ka1 priority 100 and ka2 80, one VIP; with
/// <see cref="TrackInterface"/>, each node has that interface too (a veth pair of its own, up) and the instance tracks it.
/// </summary>
public sealed record Scenario(
    int Version = 3,
    string Interval = "100ms",
    string Transport = "multicast",
    bool Preempt = true,
    string? PreemptDelay = null,
    string? Password = null,
    bool Ipv6 = false,
    bool UseVirtualMac = false,
    string? TrackInterface = null)
{
    public TimeSpan AdvertInterval => Interval.EndsWith("ms", StringComparison.Ordinal)
        ? TimeSpan.FromMilliseconds(int.Parse(Interval[..^2], CultureInfo.InvariantCulture))
        : TimeSpan.FromSeconds(int.Parse(Interval[..^1], CultureInfo.InvariantCulture));

    public string Vip => Ipv6 ? "2001:db8::100" : "198.51.100.100";

    /// <summary>RFC 5798 section 6.1 for the backup (priority 80).</summary>
    public TimeSpan SkewTime => TimeSpan.FromTicks((256 - 80) * AdvertInterval.Ticks / 256);

    public TimeSpan MasterDownInterval => (3 * AdvertInterval) + SkewTime;

    /// <summary>RFC 5798 section 6.1 for a router of <paramref name="priority"/> (ka1's is 100).</summary>
    public TimeSpan MasterDownIntervalOf(int priority) => (3 * AdvertInterval) + TimeSpan.FromTicks((256 - priority) * AdvertInterval.Ticks / 256);
}
