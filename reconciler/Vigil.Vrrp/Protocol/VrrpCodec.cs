using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Vigil.Core.Wire;

namespace Vigil.Vrrp.Protocol;

/// <summary>
/// Encodes and decodes the VRRP message itself (what follows the IP header), v2 (RFC 3768 section 5.1)
/// and v3 (RFC 5798 section 5.1). All fields are in network byte order.
/// </summary>
public static class VrrpCodec
{
    public const int HeaderLength = 8;
    /// <summary>RFC 3768 section 5.3.10: v2 always carries 8 octets of Authentication Data.</summary>
    public const int AuthenticationDataLength = 8;

    public static int EncodedLength(VrrpAdvertisement advertisement, AddressFamily family) =>
        HeaderLength + (advertisement.IpAddresses.Count * AddressLength(family)) + (advertisement.Version == 2 ? AuthenticationDataLength : 0);

    /// <summary>
    /// Writes the advertisement into <paramref name="buffer"/> and returns its length. The v3 checksum covers
    /// the pseudo-header, so it needs the IP source and destination; v2's covers the message only.
    /// </summary>
    public static int Encode(VrrpAdvertisement advertisement, IPAddress source, IPAddress destination, Span<byte> buffer)
    {
        var family = source.AddressFamily;
        var length = EncodedLength(advertisement, family);
        if (buffer.Length < length)
        {
            throw new ArgumentException($"buffer of {buffer.Length} bytes, {length} needed", nameof(buffer));
        }
        if (advertisement.IpAddresses.Count > byte.MaxValue)
        {
            throw new ArgumentException("at most 255 addresses fit in Count IP Addrs", nameof(advertisement));
        }
        var message = buffer[..length];
        message.Clear();
        message[0] = (byte)((advertisement.Version << 4) | VrrpAdvertisement.TypeAdvertisement);
        message[1] = advertisement.VirtualRouterId;
        message[2] = advertisement.Priority;
        message[3] = (byte)advertisement.IpAddresses.Count;
        if (advertisement.Version == 2)
        {
            message[4] = (byte)advertisement.AuthType;
            message[5] = (byte)advertisement.AdvertisementInterval; // Adver Int, seconds
        }
        else
        {
            // 4 reserved bits, then Max Adver Int in centiseconds (12 bits).
            BinaryPrimitives.WriteUInt16BigEndian(message[4..], (ushort)(advertisement.AdvertisementInterval & 0x0fff));
        }
        var offset = HeaderLength;
        var addresses = advertisement.IpAddresses;
        for (var i = 0; i < addresses.Count; i++) // not foreach: an interface's enumerator is an allocation per advert
        {
            addresses[i].TryWriteBytes(message[offset..], out var written);
            offset += written;
        }
        if (advertisement.Version == 2)
        {
            advertisement.AuthenticationData.Span[..Math.Min(AuthenticationDataLength, advertisement.AuthenticationData.Length)].CopyTo(message[offset..]);
        }
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], Checksum(message, advertisement.Version, source, destination));
        return length;
    }

    /// <summary>
    /// Decodes a VRRP message received from <paramref name="source"/> to <paramref name="destination"/>.
    /// Never throws on bad input: the verdict says why it was rejected.
    /// </summary>
    public static VrrpRejection TryDecode(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        if (message.Length < HeaderLength)
        {
            return VrrpRejection.TooShort;
        }
        var version = (byte)(message[0] >> 4);
        var family = source.AddressFamily;
        if (version is not (2 or 3) || (version == 2 && family == AddressFamily.InterNetworkV6))
        {
            return VrrpRejection.BadVersion;
        }
        if ((message[0] & 0x0f) != VrrpAdvertisement.TypeAdvertisement)
        {
            return VrrpRejection.BadType;
        }
        var count = message[3];
        var addressLength = AddressLength(family);
        var expected = HeaderLength + (count * addressLength) + (version == 2 ? AuthenticationDataLength : 0);
        if (message.Length != expected)
        {
            return message.Length < expected ? VrrpRejection.TooShort : VrrpRejection.LengthMismatch;
        }
        if (Checksum(message, version, source, destination) != 0)
        {
            // Summing a message that includes its own correct checksum gives 0 after the final complement.
            return VrrpRejection.BadChecksum;
        }
        var authType = version == 2 ? (VrrpAuthType)message[4] : VrrpAuthType.NoAuthentication;
        if (authType is not (VrrpAuthType.NoAuthentication or VrrpAuthType.SimpleText))
        {
            return VrrpRejection.UnsupportedAuthType;
        }
        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(message.Slice(HeaderLength + (i * addressLength), addressLength));
        }
        advertisement = new VrrpAdvertisement
        {
            Version = version,
            VirtualRouterId = message[1],
            Priority = message[2],
            AdvertisementInterval = version == 2 ? message[5] : (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & 0x0fff),
            IpAddresses = addresses,
            AuthType = authType,
            AuthenticationData = version == 2 ? message[^AuthenticationDataLength..].ToArray() : ReadOnlyMemory<byte>.Empty,
        };
        return VrrpRejection.None;
    }

    /// <summary>Simple-text authentication data: the password, zero-padded to 8 octets (RFC 2338 section 5.3.6).</summary>
    public static byte[] SimpleTextAuthentication(string password)
    {
        var data = new byte[AuthenticationDataLength];
        System.Text.Encoding.ASCII.GetBytes(password.AsSpan(0, Math.Min(password.Length, AuthenticationDataLength)), data);
        return data;
    }

    private static ushort Checksum(ReadOnlySpan<byte> message, byte version, IPAddress source, IPAddress destination)
    {
        // RFC 3768 section 5.3.8: v2 sums the VRRP message; RFC 5798 section 5.2.8: v3 adds the pseudo-header.
        var sum = version == 3 ? InternetChecksum.PseudoHeader(source, destination, message.Length, InternetChecksum.VrrpProtocol) : 0u;
        return InternetChecksum.Finish(InternetChecksum.Add(sum, message));
    }

    private static int AddressLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 16 : 4;
}
