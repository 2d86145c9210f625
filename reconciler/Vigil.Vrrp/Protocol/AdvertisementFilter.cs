using System.Net;

namespace Vigil.Vrrp.Protocol;

/// <summary>What an instance expects of the adverts it acts on.</summary>
public sealed record InstanceExpectation(
    byte Version,
    byte VirtualRouterId,
    ushort AdvertisementInterval,
    VrrpAuthType AuthType,
    ReadOnlyMemory<byte> AuthenticationData,
    IReadOnlyCollection<IPAddress> OwnAddresses);

/// <summary>
/// Decides whether an instance acts on a packet and counts every drop by reason, as keepalived's
/// vrrp_check_packet does. Thread-safe counters; the decision itself is pure.
/// </summary>
public sealed class AdvertisementFilter(InstanceExpectation expectation)
{
    private readonly long[] _drops = new long[Enum.GetValues<VrrpRejection>().Length];

    public InstanceExpectation Expectation { get; } = expectation;

    public long Dropped(VrrpRejection reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>Counts per reason, zero counts left out: for status and metrics.</summary>
    public IReadOnlyDictionary<VrrpRejection, long> DropCounts() =>
        Enum.GetValues<VrrpRejection>().Where(r => r != VrrpRejection.None && Dropped(r) > 0).ToDictionary(r => r, Dropped);

    /// <summary>Checks a decoded packet; <paramref name="codecVerdict"/> is the codec's, so malformed packets are counted here too.</summary>
    public VrrpRejection Check(VrrpRejection codecVerdict, IPAddress source, VrrpAdvertisement? advertisement)
    {
        var reason = codecVerdict != VrrpRejection.None ? codecVerdict : Decide(source, advertisement!);
        if (reason != VrrpRejection.None)
        {
            Interlocked.Increment(ref _drops[(int)reason]);
        }
        return reason;
    }

    private VrrpRejection Decide(IPAddress source, VrrpAdvertisement advertisement)
    {
        var expected = Expectation;
        if (advertisement.VirtualRouterId != expected.VirtualRouterId)
        {
            return VrrpRejection.OtherVirtualRouter;
        }
        if (expected.OwnAddresses.Contains(source))
        {
            return VrrpRejection.OwnPacket;
        }
        if (advertisement.Version != expected.Version)
        {
            return VrrpRejection.VersionMismatch;
        }
        if (expected.Version == 2)
        {
            if (advertisement.AuthType != expected.AuthType
                || (expected.AuthType == VrrpAuthType.SimpleText && !advertisement.AuthenticationData.Span.SequenceEqual(expected.AuthenticationData.Span)))
            {
                return VrrpRejection.AuthenticationMismatch;
            }
            if (advertisement.AdvertisementInterval != expected.AdvertisementInterval)
            {
                return VrrpRejection.IntervalMismatch;
            }
        }
        return VrrpRejection.None;
    }
}
