using System.Net;

namespace Vigil.Vrrp.Protocol;

/// <summary>Why an instance did not act on a received packet: the codec's rejections, then the instance's own checks.</summary>
public enum VrrpDropReason
{
    None = 0,
    TooShort,
    MalformedIpHeader,
    NotVrrp,
    TtlNot255,
    BadVersion,
    BadType,
    LengthMismatch,
    BadChecksum,
    UnsupportedAuthType,
    /// <summary>Another VRID on the same interface: not ours, not an error.</summary>
    OtherVirtualRouter,
    /// <summary>Our own advert looped back (multicast loop, or a peer list that includes us).</summary>
    OwnPacket,
    /// <summary>The sender runs the other VRRP version.</summary>
    VersionMismatch,
    /// <summary>v2: Auth Type or password differs from ours (RFC 3768 section 7.1: discard and count).</summary>
    AuthenticationMismatch,
    /// <summary>v2: Adver Int differs from ours (RFC 3768 section 7.1); v3 adopts the master's instead.</summary>
    IntervalMismatch,
}

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
    private readonly long[] _drops = new long[Enum.GetValues<VrrpDropReason>().Length];

    public InstanceExpectation Expectation { get; } = expectation;

    public long Dropped(VrrpDropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>Counts per reason, zero counts left out: for status and metrics.</summary>
    public IReadOnlyDictionary<VrrpDropReason, long> DropCounts() =>
        Enum.GetValues<VrrpDropReason>().Where(r => r != VrrpDropReason.None && Dropped(r) > 0).ToDictionary(r => r, Dropped);

    /// <summary>Checks a decoded packet; <paramref name="codecVerdict"/> is the codec's, so malformed packets are counted here too.</summary>
    public VrrpDropReason Check(VrrpRejection codecVerdict, IPAddress source, VrrpAdvertisement? advertisement)
    {
        var reason = codecVerdict != VrrpRejection.None ? (VrrpDropReason)(int)codecVerdict : Decide(source, advertisement!);
        if (reason != VrrpDropReason.None)
        {
            Interlocked.Increment(ref _drops[(int)reason]);
        }
        return reason;
    }

    private VrrpDropReason Decide(IPAddress source, VrrpAdvertisement advertisement)
    {
        var expected = Expectation;
        if (advertisement.VirtualRouterId != expected.VirtualRouterId)
        {
            return VrrpDropReason.OtherVirtualRouter;
        }
        if (expected.OwnAddresses.Contains(source))
        {
            return VrrpDropReason.OwnPacket;
        }
        if (advertisement.Version != expected.Version)
        {
            return VrrpDropReason.VersionMismatch;
        }
        if (expected.Version == 2)
        {
            if (advertisement.AuthType != expected.AuthType
                || (expected.AuthType == VrrpAuthType.SimpleText && !advertisement.AuthenticationData.Span.SequenceEqual(expected.AuthenticationData.Span)))
            {
                return VrrpDropReason.AuthenticationMismatch;
            }
            if (advertisement.AdvertisementInterval != expected.AdvertisementInterval)
            {
                return VrrpDropReason.IntervalMismatch;
            }
        }
        return VrrpDropReason.None;
    }
}
