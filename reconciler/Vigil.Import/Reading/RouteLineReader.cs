using System.Globalization;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Output;

namespace Vigil.Import.Reading;

/// <summary>
/// One line of keepalived's static_routes/virtual_routes or static_rules/virtual_rules (iproute2's words) as a Vigil
/// route or rule. The options Vigil has are carried; any other makes the line not imported, said with the word.
/// </summary>
internal sealed class RouteLineReader(NodeFindings findings, string block)
{
    private readonly ConfValues _values = new(findings);

    private static readonly string[] RouteTypes = ["blackhole", "unreachable", "prohibit"];

    public YamlMap? Route(ConfStatement line)
    {
        var map = new YamlMap();
        var words = line.Words;
        var i = 0;
        if (RouteTypes.Contains(words[0]))
        {
            map.Set("type", words[i++]);
        }
        string? destination = null;
        for (; i < words.Count; i++)
        {
            var word = words[i];
            var value = i + 1 < words.Count ? words[i + 1] : null;
            switch (word)
            {
                case "src" when value is not null && _values.Address(line, value) is { } src:
                    map.Set("src", src);
                    i++;
                    break;
                case "to" when value is not null:
                    destination = value;
                    i++;
                    break;
                case "via" or "gw" when value is not null && _values.Address(line, value) is { } via:
                    map.Set("via", via);
                    i++;
                    break;
                case "dev" when value is not null:
                    map.Set("dev", value);
                    i++;
                    break;
                case "scope" when value is "global" or "site" or "link" or "host":
                    map.Set("scope", value);
                    i++;
                    break;
                case "table" when value is not null && Table(line, value) is { } table:
                    map.Set("table", table);
                    i++;
                    break;
                case "metric" or "priority" or "preference" when value is not null && Number(line, value) is { } metric:
                    map.Set("metric", metric);
                    i++;
                    break;
                case "no_track":
                    Translated(line, "no_track: Vigil puts a deleted route back and keeps the instance master");
                    break;
                case var first when destination is null && !first.Contains('=', StringComparison.Ordinal) && (first == "default" || char.IsAsciiHexDigit(first[0]) || first.Contains(':', StringComparison.Ordinal)):
                    destination = first;
                    break;
                default:
                    NotImported(line, $"'{word}' on a route is not in Vigil (it has to, via, dev, src, scope, table, metric and the route type)");
                    return null;
            }
        }
        if (destination is null)
        {
            NotImported(line, "names no destination");
            return null;
        }
        var ipv6 = map["via"] is string gateway && gateway.Contains(':', StringComparison.Ordinal);
        var to = destination == "default" ? (ipv6 ? "::/0" : "0.0.0.0/0") : _values.Prefix(line, destination);
        if (to is null)
        {
            return null;
        }
        var route = new YamlMap().Set("to", to); // written first, as a reader expects
        foreach (var (key, value) in map.Entries)
        {
            route.Set(key, value);
        }
        return route;
    }

    public YamlMap? Rule(ConfStatement line)
    {
        var map = new YamlMap();
        var words = line.Words;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            var value = i + 1 < words.Count ? words[i + 1] : null;
            switch (word)
            {
                case "not":
                    map.Set("not", true);
                    break;
                case "from" or "to" when value == "all":
                    i++;
                    break;
                case "from" or "to" when value is not null && _values.Prefix(line, value) is { } prefix:
                    map.Set(word, prefix);
                    i++;
                    break;
                case "table" or "lookup" when value is not null && Table(line, value) is { } table:
                    map.Set("table", table);
                    i++;
                    break;
                case "preference" or "priority" when value is not null && Number(line, value) is { } priority:
                    map.Set("priority", priority);
                    i++;
                    break;
                case "fwmark" when value is not null && FwMark(line, value) is { } mark:
                    map.Set("fwmark", mark.Mark);
                    if (mark.Mask is { } mask) map.Set("fwmask", mask);
                    i++;
                    break;
                case "iif" or "oif" when value is not null:
                    map.Set(word, value);
                    i++;
                    break;
                case "blackhole" or "unreachable" or "prohibit":
                    map.Set("action", word);
                    break;
                case "no_track":
                    Translated(line, "no_track: Vigil puts a deleted rule back and keeps the instance master");
                    break;
                default:
                    NotImported(line, $"'{word}' on a rule is not in Vigil (it has from, to, table, preference, fwmark, iif, oif, not and the action)");
                    return null;
            }
        }
        if (map["priority"] is null)
        {
            NotImported(line, "a rule without a preference: keepalived warns that the kernel's choice is probably not what you want, and Vigil asks for one");
            return null;
        }
        return map;
    }

    /// <summary>A table by number or by iproute2's three names; others (from rt_tables) the node alone knows.</summary>
    private long? Table(ConfStatement line, string text) => text switch
    {
        "main" => 254,
        "default" => 253,
        "local" => 255,
        _ when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var table) && table is > 0 and <= uint.MaxValue => table,
        _ => Refused(line, $"table '{text}': Vigil takes a table by number (or main, default, local)"),
    };

    private long? Number(ConfStatement line, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= uint.MaxValue ? number
        : Refused(line, $"'{text}' is not a whole number up to 4294967295");

    private (long Mark, long? Mask)? FwMark(ConfStatement line, string text)
    {
        var parts = text.Split('/');
        long? Parse(string part) => part.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(part[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : null
            : long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
        if (parts.Length <= 2 && Parse(parts[0]) is { } mark && (parts.Length == 1 || Parse(parts[1]) is not null))
        {
            return (mark, parts.Length == 2 ? Parse(parts[1]) : null);
        }
        Refused(line, $"fwmark '{text}' is not MARK or MARK/MASK");
        return null;
    }

    private long? Refused(ConfStatement line, string why)
    {
        NotImported(line, why);
        return null;
    }

    // Named by the block (virtual_routes...): a line's first word is its destination, not a keyword.
    private void NotImported(ConfStatement line, string why) =>
        findings.Add(new ImportFinding(FindingKind.NotImported, block, $"{string.Join(' ', line.Words)}: {why}", [line.Position]));

    private void Translated(ConfStatement line, string how) =>
        findings.Add(new ImportFinding(FindingKind.Translated, block, $"{string.Join(' ', line.Words)}: {how}", [line.Position]));
}
