using System.Globalization;
using System.Net;
using System.Numerics;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Cli.Tests;

/// <summary>
/// The services a virtual_server_group stands for, as keepalived 2.2.7 reads its lines (check_data.c): ADDRESS PORT,
/// a range (198.51.100.1-10, 198.51.100.1-198.51.100.10, 198.51.100.8/29) with a port, or fwmark N [inet|inet6].
/// Written apart from the importer's reader, so the round trip does not check that reader against itself.
/// </summary>
internal static class KeepalivedGroupMeaning
{
    public sealed record Member(string Service, string? Port);

    public static List<Member> Services(ConfStatement group)
    {
        var list = new List<Member>();
        foreach (var line in group.Block ?? [])
        {
            if (line.Keyword == "fwmark")
            {
                list.Add(new Member($"fwmark {line.Argument(0)} {line.Argument(1) ?? "group family"}", null));
                continue;
            }
            var port = line.Argument(0) ?? "0";
            foreach (var address in Expand(line.Keyword))
            {
                list.Add(new Member($"{address}:{port}", port));
            }
        }
        return list;
    }

    private static IEnumerable<IPAddress> Expand(string text)
    {
        BigInteger first, last;
        bool v6;
        if (text.Split('/') is [var network, var bits])
        {
            var address = IPAddress.Parse(network);
            v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            first = Number(address);
            last = first + (BigInteger.One << ((v6 ? 128 : 32) - int.Parse(bits, CultureInfo.InvariantCulture))) - 1;
        }
        else if (text.Split('-') is [var start, var end])
        {
            var address = IPAddress.Parse(start);
            v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            first = Number(address);
            last = end.Contains(v6 ? ':' : '.', StringComparison.Ordinal) ? Number(IPAddress.Parse(end))
                : v6 ? (first >> 16 << 16) + int.Parse(end, NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : (first >> 8 << 8) + int.Parse(end, CultureInfo.InvariantCulture);
        }
        else
        {
            yield return IPAddress.Parse(text);
            yield break;
        }
        for (var value = first; value <= last; value++)
        {
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            var full = new byte[v6 ? 16 : 4];
            bytes.CopyTo(full, full.Length - bytes.Length);
            yield return new IPAddress(full);
        }
    }

    private static BigInteger Number(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
}
