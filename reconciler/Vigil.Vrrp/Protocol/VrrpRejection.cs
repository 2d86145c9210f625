namespace Vigil.Vrrp.Protocol;

/// <summary>
/// Why a received packet was dropped, one value per reason so each can be counted
/// (keepalived's vrrp_check_packet does the same). <see cref="None"/> means accepted. The codec decides
/// the packet-level reasons; <see cref="AdvertisementFilter"/> adds the instance-level ones at the end.
/// </summary>
public enum VrrpRejection
{
    None = 0,
    /// <summary>Fewer bytes than the headers or the advertised length need.</summary>
    TooShort,
    /// <summary>Not an IPv4 header of version 4 with a header length of at least 20 bytes.</summary>
    MalformedIpHeader,
    /// <summary>IP protocol / next header is not 112.</summary>
    NotVrrp,
    /// <summary>RFC 5798 section 7.1: the TTL / Hop Limit must be 255, proving the sender is on the link.</summary>
    TtlNot255,
    /// <summary>Version is neither 2 nor 3, or 2 over IPv6 (RFC 3768 is IPv4 only).</summary>
    BadVersion,
    /// <summary>Type is not 1 (Advertisement).</summary>
    BadType,
    /// <summary>The packet length does not match Count IP Addrs (and v2's 8 octets of authentication data).</summary>
    LengthMismatch,
    /// <summary>The checksum does not verify (v3: over the pseudo-header, RFC 5798 section 5.2.8).</summary>
    BadChecksum,
    /// <summary>v2 Auth Type other than 0 or 1.</summary>
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
    /// <summary>
    /// The address list differs and the instance verifies it (strict: RFC 3768 and RFC 5798 section 7.1 drop a
    /// non-owner's advert whose list differs from the receiver's).
    /// </summary>
    AddressListMismatch,
}
