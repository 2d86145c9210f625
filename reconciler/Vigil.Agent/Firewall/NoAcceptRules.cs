using System.Net;
using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Agent.Firewall;

/// <summary>
/// What accept mode off (RFC 5798's Accept_Mode False, keepalived's no_accept) wants of nftables now: whether Vigil's
/// tables should exist at all (some instance runs without accept mode) and the VIPs whose traffic is dropped (those of
/// the instances that are master here).
/// </summary>
public sealed record NoAcceptRules(bool Tables, IReadOnlyList<IPAddress> Dropped)
{
    public static readonly NoAcceptRules None = new(false, []);

    /// <summary>Vigil's own tables, and only them: another tool's ruleset is never touched.</summary>
    public const string Table = "vigil";

    /// <summary>
    /// The nft script that makes the tables exactly this, in one transaction (nft -f applies a file atomically): each
    /// table made if missing, deleted, and written anew, as keepalived's ip/ip6 keepalived tables: input and output
    /// chains at priority -1 dropping packets to and from a set of VIPs; IPv6 lets neighbour discovery through, so that
    /// the VIPs still resolve. Without <see cref="Tables"/>, the tables are removed.
    /// </summary>
    public string Script()
    {
        var text = new StringBuilder();
        foreach (var (family, type, match) in new[] { ("ip", "ipv4_addr", "ip"), ("ip6", "ipv6_addr", "ip6") })
        {
            text.Append($"table {family} {Table} {{}}\ndelete table {family} {Table}\n");
            if (!Tables) continue;
            var six = family == "ip6";
            var elements = Dropped.Where(a => a.IsV6() == six).Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();
            var nd = six ? "\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" : "";
            text.Append($"table {family} {Table} {{\n")
                .Append($"\tset vips {{\n\t\ttype {type}\n{(elements.Count > 0 ? $"\t\telements = {{ {string.Join(", ", elements)} }}\n" : "")}\t}}\n")
                .Append($"\tchain in {{\n\t\ttype filter hook input priority -1; policy accept;\n{nd}\t\t{match} daddr @vips drop\n\t}}\n")
                .Append($"\tchain out {{\n\t\ttype filter hook output priority -1; policy accept;\n{nd}\t\t{match} saddr @vips drop\n\t}}\n")
                .Append("}\n");
        }
        return text.ToString();
    }
}
