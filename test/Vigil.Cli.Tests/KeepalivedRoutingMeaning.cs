using System.Globalization;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Cli.Tests;

/// <summary>
/// A static_routes/virtual_routes or static_rules/virtual_rules line as keepalived means it, whatever synonym it uses
/// (gw or via, metric or preference, lookup or table, default, hex marks), for <see cref="KeepalivedMeaning"/>. no_track
/// is left out: Vigil puts a deleted route back instead (the import reports it).
/// </summary>
internal static class KeepalivedRoutingMeaning
{
    public static void Add(ConfStatement? block, string owner, SortedSet<string> facts)
    {
        if (block is null)
        {
            return;
        }
        foreach (var line in block.Block ?? [])
        {
            facts.Add($"{owner}: {(block.Keyword.EndsWith("routes", StringComparison.Ordinal) ? Route(line.Words) : Rule(line.Words))}");
        }
    }

    private static string Route(IReadOnlyList<string> words)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["table"] = "254", ["type"] = "unicast" };
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            switch (word)
            {
                case "blackhole" or "unreachable" or "prohibit":
                    fields["type"] = word;
                    break;
                case "no_track":
                    break;
                case "via" or "gw":
                    fields["via"] = words[++i];
                    break;
                case "metric" or "priority" or "preference":
                    fields["metric"] = words[++i];
                    break;
                case "table":
                    fields["table"] = Table(words[++i]);
                    break;
                case "to":
                    fields["to"] = Prefix(words[++i]);
                    break;
                case "src" or "dev" or "scope":
                    fields[word] = words[++i];
                    break;
                default:
                    fields["to"] = word == "default" ? "0.0.0.0/0" : Prefix(word);
                    break;
            }
        }
        return "route " + string.Join(' ', fields.Select(f => $"{f.Key} {f.Value}"));
    }

    private static string Rule(IReadOnlyList<string> words)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["action"] = "table" };
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            switch (word)
            {
                case "not":
                    fields["not"] = "yes";
                    break;
                case "no_track":
                    break;
                case "blackhole" or "unreachable" or "prohibit":
                    fields["action"] = word;
                    break;
                case "from" or "to":
                    var prefix = words[++i];
                    if (prefix != "all") fields[word] = Prefix(prefix);
                    break;
                case "table" or "lookup":
                    fields["table"] = Table(words[++i]);
                    break;
                case "preference" or "priority" or "pref":
                    fields["preference"] = words[++i];
                    break;
                case "fwmark":
                    fields["fwmark"] = string.Join('/', words[++i].Split('/').Select(Number));
                    break;
                default:
                    fields[word] = words[++i]; // iif, oif
                    break;
            }
        }
        return "rule " + string.Join(' ', fields.Select(f => $"{f.Key} {f.Value}"));
    }

    private static string Table(string text) => text switch { "main" => "254", "default" => "253", "local" => "255", _ => text };

    private static string Number(string text) => text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? long.Parse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
        : text;

    private static string Prefix(string text) => text.Contains('/', StringComparison.Ordinal) ? text : text + (text.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
}
