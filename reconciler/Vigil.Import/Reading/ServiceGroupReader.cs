using System.Globalization;
using System.Net;
using System.Numerics;
using Vigil.Core.Desired;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>
/// virtual_server_group blocks as a VirtualServer's group: each line an address (keepalived's three range forms:
/// 198.51.100.1-10, 198.51.100.250-198.51.101.10, 198.51.100.8/29) with its port, or a fwmark with an optional family.
/// </summary>
internal sealed class ServiceGroupReader(NodeFindings findings)
{
    private readonly Dictionary<string, (ConfStatement Block, YamlMap Group)> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public void Read(ConfStatement block)
    {
        if (block.Argument(0) is not { } name)
        {
            findings.NotImported(block, "has no name");
            return;
        }
        if (_groups.TryGetValue(name, out var first))
        {
            findings.NotImported(block, $"virtual_server_group {name} is defined again: the first ({first.Block.Position}) is kept");
            return;
        }
        var members = new List<object>();
        foreach (var line in block.Block ?? [])
        {
            if (Member(line) is { } member) members.Add(member);
        }
        _groups[name] = (block, new YamlMap().Set("name", name).Set("members", members));
    }

    /// <summary>The group a <c>virtual_server group NAME</c> names; null (and said) when there is none, or it has no member.</summary>
    public YamlMap? Use(ConfStatement service, string name)
    {
        if (!_groups.TryGetValue(name, out var found))
        {
            findings.NotImported(service, $"no virtual_server_group {name} is defined: the virtual server is not imported");
            return null;
        }
        _used.Add(name);
        if (found.Group["members"] is List<object> { Count: 0 })
        {
            findings.NotImported(service, $"virtual_server_group {name} ({found.Block.Position}) has no member that imports: the virtual server is not imported");
            return null;
        }
        return found.Group;
    }

    /// <summary>keepalived ignores a group no virtual server uses; the report says it was not carried over.</summary>
    public void ReportUnused()
    {
        foreach (var (name, (block, _)) in _groups.Where(g => !_used.Contains(g.Key)))
        {
            findings.NotImported(block, $"virtual_server_group {name} is used by no virtual_server, so it does nothing: not imported");
        }
    }

    private YamlMap? Member(ConfStatement line)
    {
        if (line.Keyword == "fwmark")
        {
            if (!uint.TryParse(line.Argument(0), NumberStyles.None, CultureInfo.InvariantCulture, out var mark) || mark == 0)
            {
                findings.NotImported(line, $"'{line.Argument(0)}' is not a fwmark from 1 to {uint.MaxValue}");
                return null;
            }
            var member = new YamlMap().Set("fwmark", (long)mark);
            switch (line.Argument(1))
            {
                case null:
                    break;
                case "inet" or "inet6":
                    member.Set("family", line.Argument(1) == "inet6" ? "ipv6" : "ipv4");
                    break;
                default:
                    findings.NotImported(line, $"'{line.Argument(1)}' is not inet or inet6");
                    return null;
            }
            return member;
        }
        if (line.Argument(0) is not { } portText || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            findings.NotImported(line, $"{line.Keyword}: a group address without a port (all ports) is not in Vigil; give the port");
            return null;
        }
        if (Range(line.Keyword) is not var (first, last))
        {
            findings.NotImported(line, $"'{line.Keyword}' is not an address or a range of addresses (198.51.100.1-10, 198.51.100.1-198.51.100.10, 198.51.100.8/29)");
            return null;
        }
        var entry = new YamlMap().Set("address", first.ToString());
        if (!last.Equals(first)) entry.Set("lastAddress", last.ToString());
        return entry.Set("port", port);
    }

    /// <summary>keepalived's range forms, as first and last address; null when the text is none of them.</summary>
    private static (IPAddress First, IPAddress Last)? Range(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!IPAddress.TryParse(text[..slash], out var network) || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                return null;
            }
            var bits = network.GetAddressBytes().Length * 8;
            if (length < 1 || length > bits) return null;
            var value = AddressRange.NumberOf(network);
            var hostBits = (BigInteger.One << (bits - length)) - 1;
            // keepalived refuses a network address with host bits set.
            return (value & hostBits) != 0 ? null : (network, AddressRange.AddressOf(value | hostBits, bits == 128));
        }
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (!IPAddress.TryParse(dash < 0 ? text : text[..dash], out var start))
        {
            return null;
        }
        if (dash < 0) return (start, start);
        var end = text[(dash + 1)..];
        var v6 = start.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (end.Contains(v6 ? ':' : '.', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(end, out var last) && last.AddressFamily == start.AddressFamily && AddressRange.NumberOf(last) >= AddressRange.NumberOf(start) ? (start, last) : null;
        }
        // The short form replaces the last octet (decimal) or the last 16 bits (hex) of the first address.
        if (!uint.TryParse(end, v6 ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var tail) || tail > (v6 ? 0xFFFFu : 0xFFu))
        {
            return null;
        }
        var firstValue = AddressRange.NumberOf(start);
        var mask = v6 ? new BigInteger(0xFFFF) : new BigInteger(0xFF);
        var lastValue = (firstValue & ~mask) | tail;
        return lastValue > firstValue ? (start, AddressRange.AddressOf(lastValue, v6)) : null;
    }
}
