using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Vigil.Core.Desired;

namespace Vigil.Policies.Expressions;

/// <summary>One function of the language; receiver-style calls count the receiver in <see cref="Arity"/>.</summary>
internal sealed record Function(string Name, bool Receiver, int Arity, string Signature, Func<object?[], int, object?> Invoke);

/// <summary>
/// The functions rules may call: CEL's standard ones for strings, lists and conversions, and Kubernetes' CEL
/// library names for addresses (<c>ip()</c>, <c>cidr()</c>, <c>containsIP()</c>), so rules read as in a
/// ValidatingAdmissionPolicy.
/// </summary>
internal static class Functions
{
    private static readonly List<Function> All =
    [
        new("size", false, 1, "size(string|list|map) -> int", (a, c) => Size(a[0], c)),
        new("size", true, 1, "string|list|map.size() -> int", (a, c) => Size(a[0], c)),
        new("contains", true, 2, "string.contains(string) -> bool", (a, c) => Text(a[0], c).Contains(Text(a[1], c), StringComparison.Ordinal)),
        new("startsWith", true, 2, "string.startsWith(string) -> bool", (a, c) => Text(a[0], c).StartsWith(Text(a[1], c), StringComparison.Ordinal)),
        new("endsWith", true, 2, "string.endsWith(string) -> bool", (a, c) => Text(a[0], c).EndsWith(Text(a[1], c), StringComparison.Ordinal)),
        new("matches", true, 2, "string.matches(pattern) -> bool", (a, c) => Matches(a[0], a[1], c)),
        new("matches", false, 2, "matches(string, pattern) -> bool", (a, c) => Matches(a[0], a[1], c)),
        new("lowerAscii", true, 1, "string.lowerAscii() -> string", (a, c) => Ascii(Text(a[0], c), char.ToLowerInvariant)),
        new("upperAscii", true, 1, "string.upperAscii() -> string", (a, c) => Ascii(Text(a[0], c), char.ToUpperInvariant)),
        new("trim", true, 1, "string.trim() -> string", (a, c) => Text(a[0], c).Trim()),
        new("int", false, 1, "int(int|double|string) -> int", (a, c) => ToInt(a[0], c)),
        new("double", false, 1, "double(int|double|string) -> double", (a, c) => ToDouble(a[0], c)),
        new("string", false, 1, "string(value) -> string", (a, c) => ToText(a[0], c)),
        new("duration", false, 1, "duration('100ms'|'1s'|'5m'|'1h') -> duration", (a, c) => a[0] is TimeSpan d ? d : Durations.TryParse(Text(a[0], c), out var parsed) ? parsed
            : throw new ExpressionException("duration() takes text like 100ms, 1s, 1.5s, 5m or 1h", c)),
        new("getSeconds", true, 1, "duration.getSeconds() -> int", (a, c) => (long)Duration(a[0], c).TotalSeconds),
        new("getMilliseconds", true, 1, "duration.getMilliseconds() -> int", (a, c) => (long)Duration(a[0], c).TotalMilliseconds),
        new("isIP", false, 1, "isIP(string) -> bool", (a, c) => IpAddressText.TryParse(Text(a[0], c), out _)),
        new("ip", false, 1, "ip(string) -> ip", (a, c) => Ip(a[0], c)),
        new("isCIDR", false, 1, "isCIDR(string) -> bool", (a, c) => IpPrefix.TryParse(Text(a[0], c), out _)),
        new("cidr", false, 1, "cidr(string) -> cidr", (a, c) => Cidr(a[0], c)),
        new("family", true, 1, "ip.family() -> int (4 or 6)", (a, c) => Ip(a[0], c).AddressFamily == AddressFamily.InterNetworkV6 ? 6L : 4L),
        new("isLoopback", true, 1, "ip.isLoopback() -> bool", (a, c) => IPAddress.IsLoopback(Ip(a[0], c))),
        new("containsIP", true, 2, "cidr.containsIP(ip|string) -> bool", (a, c) => Contains(Cidr(a[0], c), new IpPrefix(Ip(a[1], c), -1))),
        new("containsCIDR", true, 2, "cidr.containsCIDR(cidr|string) -> bool", (a, c) => Contains(Cidr(a[0], c), Cidr(a[1], c))),
        new("prefixLength", true, 1, "cidr.prefixLength() -> int", (a, c) => (long)Cidr(a[0], c).PrefixLength),
        new("ip", true, 1, "cidr.ip() -> ip", (a, c) => Cidr(a[0], c).Address),
    ];

    // Patterns are few (rules are written by people); the bound keeps a hostile document from growing it.
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);
    private const int MaxPatterns = 256;
    private const int MaxPatternLength = 1_000;

    public static Function? Find(string name, bool receiver, int arity) =>
        All.Find(f => f.Name == name && f.Receiver == receiver && f.Arity == arity);

    public static string Unknown(string name, bool receiver, int arity)
    {
        var named = All.Where(f => f.Name == name).Select(f => f.Signature).ToList();
        return named.Count > 0
            ? $"{name}() is not called this way ({(receiver ? arity - 1 : arity)} argument(s){(receiver ? " on a receiver" : "")}); it is {string.Join(" or ", named)}"
            : $"unknown function '{name}'";
    }

    private static long Size(object? value, int column) => value switch
    {
        string text => text.EnumerateRunes().LongCount(),
        List<object?> list => list.Count,
        Dictionary<object, object?> map => map.Count,
        _ => throw NoOverload("size", value, column),
    };

    internal static ExpressionException NoOverload(string what, object? value, int column) =>
        new($"{what} does not apply to {Values.TypeName(value)}", column);

    private static string Text(object? value, int column) => value as string ?? throw NoOverload("this function", value, column);

    private static TimeSpan Duration(object? value, int column) => value is TimeSpan d ? d : throw NoOverload("this function", value, column);

    private static string Ascii(string text, Func<char, char> map) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = char.IsAscii(source[i]) ? map(source[i]) : source[i];
        }
    });

    /// <summary>RE2 semantics as CEL has them: a match anywhere, in time linear in the input (no backtracking).</summary>
    private static bool Matches(object? text, object? pattern, int column)
    {
        var input = Text(text, column);
        var source = Text(pattern, column);
        if (source.Length > MaxPatternLength)
        {
            throw new ExpressionException($"a pattern longer than {MaxPatternLength} characters", column);
        }
        if (!Patterns.TryGetValue(source, out var regex))
        {
            try
            {
                regex = new Regex(source, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new ExpressionException($"not a pattern matches() can run in linear time: {e.Message}", column);
            }
            if (Patterns.Count < MaxPatterns)
            {
                Patterns.TryAdd(source, regex);
            }
        }
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ExpressionException("matches() took longer than 1 s", column);
        }
    }

    /// <summary>Checks a pattern when the rule is compiled, so a bad literal pattern fails in CI rather than on a document.</summary>
    internal static void CheckPattern(string source, int column) => Matches("", source, column);

    private static long ToInt(object? value, int column) => value switch
    {
        long l => l,
        double d when !double.IsNaN(d) && d >= long.MinValue && d < 9.2233720368547758E18 => (long)d,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        TimeSpan d => (long)d.TotalSeconds,
        _ => throw new ExpressionException($"int() cannot convert this {Values.TypeName(value)}", column),
    };

    private static double ToDouble(object? value, int column) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new ExpressionException($"double() cannot convert this {Values.TypeName(value)}", column),
    };

    private static string ToText(object? value, int column) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        TimeSpan d => Durations.Format(d),
        IPAddress a => a.ToString(),
        IpPrefix p => p.ToString(),
        _ => throw NoOverload("string()", value, column),
    };

    private static IPAddress Ip(object? value, int column) => value switch
    {
        IPAddress address => address,
        string text when IpAddressText.TryParse(text, out var address) => address,
        string => throw new ExpressionException("ip() takes an address like 198.51.100.10 or 2001:db8::10 (for ADDRESS/LENGTH use cidr())", column),
        _ => throw NoOverload("ip()", value, column),
    };

    private static IpPrefix Cidr(object? value, int column) => value switch
    {
        IpPrefix prefix => prefix,
        string text when IpPrefix.TryParse(text, out var prefix) => prefix.Value,
        string => throw new ExpressionException("cidr() takes ADDRESS/LENGTH like 198.51.100.0/24 or 2001:db8::/32", column),
        _ => throw NoOverload("cidr()", value, column),
    };

    /// <summary>Whether <paramref name="inner"/> (a prefix, or an address when its length is -1) lies inside <paramref name="outer"/>.</summary>
    internal static bool Contains(IpPrefix outer, IpPrefix inner)
    {
        var length = inner.PrefixLength < 0 ? inner.MaxPrefixLength : inner.PrefixLength;
        if (outer.Family != inner.Family || length < outer.PrefixLength)
        {
            return false;
        }
        var a = outer.Address.GetAddressBytes();
        var b = inner.Address.GetAddressBytes();
        var whole = outer.PrefixLength / 8;
        if (!a.AsSpan(0, whole).SequenceEqual(b.AsSpan(0, whole)))
        {
            return false;
        }
        var bits = outer.PrefixLength % 8;
        var mask = (byte)(0xFF << (8 - bits));
        return bits == 0 || (a[whole] & mask) == (b[whole] & mask);
    }
}
