using System.Net;

namespace Vigil.Vrrp.Protocol;

/// <summary>What an instance expects of the adverts it acts on.</summary>
public sealed record InstanceExpectation(
    byte Version,
    byte VirtualRouterId,
    ushort AdvertisementInterval,
    VrrpAuthType AuthType,
    ReadOnlyMemory<byte> AuthenticationData,
    IReadOnlyCollection<IPAddress> OwnAddresses)
{
    /// <summary>The instance's VIPs, in order; compared with every advert's list (empty: not compared).</summary>
    public IReadOnlyList<IPAddress> VirtualAddresses { get; init; } = [];

    /// <summary>
    /// Whether an advert whose address list differs is dropped (RFC 3768 and RFC 5798 section 7.1: verifying the list is
    /// a MAY, but a router that verifies MUST drop a differing advert unless it comes from the address owner). Off:
    /// the advert is acted on and the difference is only reported.
    /// </summary>
    public bool DropOtherAddressLists { get; init; }
}

/// <summary>How an accepted advert matched.</summary>
public enum AdvertMatch
{
    /// <summary>Everything as this revision expects.</summary>
    Expected,

    /// <summary>Its address list differs (acted on: the list is not verified, only reported).</summary>
    OtherAddressList,

    /// <summary>Not as this revision expects, but as the tolerated one does (the other side of a rollout, within its window).</summary>
    Tolerated,
}

/// <summary>
/// Decides whether an instance acts on a packet and counts every drop by reason, as keepalived's
/// vrrp_check_packet does. During a rollout it also takes what the instance's other revision (the one before, or the
/// one about to apply) would, until a deadline: both sides of the change are known from git, so a peer that applies
/// it earlier or later is still heard. Thread-safe counters; the decision itself is pure.
/// </summary>
public sealed class AdvertisementFilter(InstanceExpectation expectation)
{
    private readonly long[] _drops = new long[Enum.GetValues<VrrpRejection>().Length];
    private volatile Tolerance? _tolerance;
    private long _tolerated;

    /// <summary>The other revision's expectation and until when (a timestamp of the caller's clock) it is taken.</summary>
    private sealed record Tolerance(InstanceExpectation Other, long Until);

    public InstanceExpectation Expectation { get; private set; } = expectation;

    public long Dropped(VrrpRejection reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>How many adverts only the tolerated revision accepted.</summary>
    public long Tolerated => Interlocked.Read(ref _tolerated);

    /// <summary>Counts per reason, zero counts left out: for status and metrics.</summary>
    public IReadOnlyDictionary<VrrpRejection, long> DropCounts() =>
        Enum.GetValues<VrrpRejection>().Where(r => r != VrrpRejection.None && Dropped(r) > 0).ToDictionary(r => r, Dropped);

    /// <summary>Until when (a caller's timestamp) adverts of the other revision are taken, if a window is open.</summary>
    public long? ToleratingUntil(long now) => _tolerance is { } t && now < t.Until ? t.Until : null;

    /// <summary>Takes adverts of <paramref name="other"/> too until <paramref name="until"/> (a caller's timestamp).</summary>
    public void Tolerate(InstanceExpectation other, long until) => _tolerance = new(other, until);

    /// <summary>A reload changed what can change in place (the VIPs): expected from now on.</summary>
    public void Expect(InstanceExpectation next) => Expectation = next;

    /// <summary>Checks a decoded packet; <paramref name="codecVerdict"/> is the codec's, so malformed packets are counted here too.</summary>
    public VrrpRejection Check(VrrpRejection codecVerdict, IPAddress source, VrrpAdvertisement? advertisement) =>
        Check(codecVerdict, source, advertisement, now: 0, out _);

    /// <param name="now">The caller's timestamp, against the tolerance window's end.</param>
    /// <param name="match">How an accepted advert matched.</param>
    public VrrpRejection Check(VrrpRejection codecVerdict, IPAddress source, VrrpAdvertisement? advertisement, long now, out AdvertMatch match)
    {
        match = AdvertMatch.Expected;
        var reason = codecVerdict != VrrpRejection.None ? codecVerdict : Decide(Expectation, source, advertisement!);
        // Only what a revision decides can another revision accept; broken and own packets never.
        if (reason is VrrpRejection.OtherVirtualRouter or VrrpRejection.VersionMismatch or VrrpRejection.AuthenticationMismatch
                or VrrpRejection.IntervalMismatch or VrrpRejection.AddressListMismatch
            && _tolerance is { } tolerance && now < tolerance.Until && Decide(tolerance.Other, source, advertisement!) == VrrpRejection.None)
        {
            Interlocked.Increment(ref _tolerated);
            match = AdvertMatch.Tolerated;
            return VrrpRejection.None;
        }
        if (reason == VrrpRejection.AddressListMismatch && !Expectation.DropOtherAddressLists)
        {
            match = AdvertMatch.OtherAddressList;
            return VrrpRejection.None;
        }
        if (reason != VrrpRejection.None)
        {
            Interlocked.Increment(ref _drops[(int)reason]);
        }
        return reason;
    }

    private static VrrpRejection Decide(InstanceExpectation expected, IPAddress source, VrrpAdvertisement advertisement)
    {
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
        // The address owner's list goes whatever it holds (both RFCs).
        if (advertisement.Priority != 255 && expected.VirtualAddresses.Count > 0 && !SameAddresses(expected.VirtualAddresses, advertisement.IpAddresses))
        {
            return VrrpRejection.AddressListMismatch;
        }
        return VrrpRejection.None;
    }

    /// <summary>The same set of addresses; the common case (same order) allocates nothing.</summary>
    private static bool SameAddresses(IReadOnlyList<IPAddress> ours, IReadOnlyList<IPAddress> theirs)
    {
        if (ours.Count != theirs.Count)
        {
            return false;
        }
        var inOrder = true;
        for (var i = 0; i < ours.Count && inOrder; i++)
        {
            inOrder = ours[i].Equals(theirs[i]);
        }
        return inOrder || ours.ToHashSet().SetEquals(theirs);
    }
}
