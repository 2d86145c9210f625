using System.Net;
using System.Numerics;

namespace Vigil.Core.Desired;

/// <summary>Addresses from <see cref="First"/> to <see cref="Last"/>, both included, counted as numbers.</summary>
public readonly record struct AddressRange(IPAddress First, IPAddress Last)
{
    /// <summary>How many addresses; 0 when the two are of different families or the range runs backwards.</summary>
    public BigInteger Count => First.AddressFamily != Last.AddressFamily || NumberOf(Last) < NumberOf(First) ? 0 : NumberOf(Last) - NumberOf(First) + 1;

    public IEnumerable<IPAddress> Addresses()
    {
        for (BigInteger value = NumberOf(First), last = NumberOf(Last); value <= last; value++)
        {
            yield return AddressOf(value, First.IsV6());
        }
    }

    public static BigInteger NumberOf(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    public static IPAddress AddressOf(BigInteger value, bool v6)
    {
        var bytes = new byte[v6 ? 16 : 4];
        value.TryWriteBytes(bytes.AsSpan(bytes.Length - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return new IPAddress(bytes);
    }
}
