using System.Net;

namespace Vigil.Vrrp.Protocol;

/// <summary>VRRPv2 Auth Type (RFC 3768 section 5.3.6). Type 2 (IP AH) is deprecated and not accepted.</summary>
public enum VrrpAuthType : byte
{
    NoAuthentication = 0,
    SimpleText = 1,
    IpAuthenticationHeader = 2,
}

/// <summary>
/// A VRRP advertisement, fields named as in RFC 3768 section 5.3 (v2) and RFC 5798 section 5.2 (v3).
/// <see cref="AdvertisementInterval"/> is in the version's unit: seconds for v2 (Adver Int, 8 bits),
/// centiseconds for v3 (Max Adver Int, 12 bits).
/// </summary>
public sealed record VrrpAdvertisement
{
    /// <summary>RFC 5798 section 5.2.2: the only type defined.</summary>
    public const byte TypeAdvertisement = 1;

    public byte Version { get; init; }
    public byte VirtualRouterId { get; init; }
    public byte Priority { get; init; }
    public ushort AdvertisementInterval { get; init; }
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];
    /// <summary>v2 only.</summary>
    public VrrpAuthType AuthType { get; init; }
    /// <summary>v2 only: the 8 octets of Authentication Data (zero-padded text for simple text authentication).</summary>
    public ReadOnlyMemory<byte> AuthenticationData { get; init; }

    public TimeSpan Interval => Version == 2
        ? TimeSpan.FromSeconds(AdvertisementInterval)
        : TimeSpan.FromMilliseconds(AdvertisementInterval * 10);

    /// <summary>Compares addresses and auth data by value, as an operator would.</summary>
    public bool Equals(VrrpAdvertisement? other) =>
        other is not null && Version == other.Version && VirtualRouterId == other.VirtualRouterId && Priority == other.Priority
        && AdvertisementInterval == other.AdvertisementInterval && AuthType == other.AuthType
        && IpAddresses.SequenceEqual(other.IpAddresses) && AuthenticationData.Span.SequenceEqual(other.AuthenticationData.Span);

    public override int GetHashCode() => HashCode.Combine(Version, VirtualRouterId, Priority, AdvertisementInterval, AuthType, IpAddresses.Count);
}
