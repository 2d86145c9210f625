namespace Vigil.Vrrp.Transport;

/// <summary>
/// The last IPv4 datagram received and what it decoded to. A master sends the same advert every interval: the same
/// bytes but for the IP header's identification and checksum. Such a repeat is handed back as the object decoded the
/// first time (records, immutable), so the steady path allocates nothing per advert. The header's identification in
/// that object is the first datagram's: nothing on the receive side reads it.
/// </summary>
internal sealed class RepeatedDatagram
{
    private const int Kept = 512; // a VRRP datagram with every address of a full list fits; longer ones are decoded every time

    private readonly byte[] _last = new byte[Kept];
    private int _length = -1;
    private ReceivedAdvertisement? _received;

    /// <summary>What <paramref name="datagram"/> decoded to when it came last, or null when it differs from the last.</summary>
    public ReceivedAdvertisement? Repeat(ReadOnlySpan<byte> datagram)
    {
        if (_received is null || datagram.Length != _length || datagram.Length < 12)
        {
            return null;
        }
        var last = _last.AsSpan(0, _length);
        // Bytes 4-5 are the identification, 10-11 the header checksum: they differ between two sends of one advert.
        return datagram[..4].SequenceEqual(last[..4]) && datagram[6..10].SequenceEqual(last[6..10]) && datagram[12..].SequenceEqual(last[12..])
            ? _received
            : null;
    }

    public void Remember(ReadOnlySpan<byte> datagram, ReceivedAdvertisement received)
    {
        if (datagram.Length > Kept)
        {
            _received = null;
            return;
        }
        datagram.CopyTo(_last);
        _length = datagram.Length;
        _received = received;
    }
}
