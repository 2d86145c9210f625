using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Core.Desired;

/// <summary>An address with its prefix length, as written in YAML: <c>198.51.100.100/24</c>.</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public AddressFamily Family => Address.AddressFamily;

    public int MaxPrefixLength => Family == AddressFamily.InterNetworkV6 ? 128 : 32;

    /// <summary>Parses <c>ADDR</c> or <c>ADDR/LEN</c>; a bare address is a host prefix (/32 or /128), as keepalived reads VIPs.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IpPrefix? prefix)
    {
        prefix = null;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%'))
        {
            return false;
        }
        // IPAddress.TryParse accepts "1" or "1.2"; operators mean a dotted quad.
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3)
        {
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out length) || length > max))
        {
            return false;
        }
        prefix = new IpPrefix(address, length);
        return true;
    }

    public static IpPrefix Parse(string text) =>
        TryParse(text, out var prefix) ? prefix.Value : throw new FormatException($"'{text}' is not an IP address or ADDRESS/LENGTH");

    public override string ToString() => $"{Address}/{PrefixLength}";
}

public static class IpAddressText
{
    /// <summary>Parses a plain IPv4 (dotted quad) or IPv6 address, without a prefix length.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains('/') || !IpPrefix.TryParse(text, out var prefix))
        {
            return false;
        }
        address = prefix.Value.Address;
        return true;
    }

    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
