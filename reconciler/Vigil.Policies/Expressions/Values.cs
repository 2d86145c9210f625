using System.Net;
using Newtonsoft.Json.Linq;
using Vigil.Core.Desired;

namespace Vigil.Policies.Expressions;

/// <summary>
/// CEL values as plain .NET objects: null, bool, long (int), double, string, <see cref="List{T}"/> (list),
/// <see cref="Dictionary{TKey,TValue}"/> keyed by string, long or bool (map), TimeSpan (duration), IPAddress (ip) and
/// <see cref="IpPrefix"/> (cidr). Documents are converted once, then shared by every rule.
/// </summary>
internal static class Values
{
    public static object? FromJson(JToken? token) => token switch
    {
        null => null,
        JObject map => map.Properties().ToDictionary(p => (object)p.Name, p => FromJson(p.Value)),
        JArray list => list.Select(FromJson).ToList(),
        // An integer beyond 64 bits (a hostile document's) is a double, never an exception.
        JValue { Type: JTokenType.Integer } value => value.Value switch
        {
            long l => (object)l,
            int i => (long)i,
            System.Numerics.BigInteger big => big >= long.MinValue && big <= long.MaxValue ? (long)big : (object)(double)big,
            var other => Convert.ToDouble(other, System.Globalization.CultureInfo.InvariantCulture),
        },
        JValue { Type: JTokenType.Float } value => (double)value,
        JValue { Type: JTokenType.Boolean } value => (bool)value,
        JValue { Type: JTokenType.Null or JTokenType.Undefined } => null,
        JValue value => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => token.ToString(),
    };

    public static string TypeName(object? value) => value switch
    {
        null => "null",
        bool => "bool",
        long => "int",
        double => "double",
        string => "string",
        List<object?> => "list",
        Dictionary<object, object?> => "map",
        TimeSpan => "duration",
        IPAddress => "ip",
        IpPrefix => "cidr",
        _ => value.GetType().Name,
    };

    /// <summary>CEL equality: numbers compare across int and double; values of different types are simply unequal.</summary>
    public static bool Equal(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (long x, long y) => x == y,
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (double x, double y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(pair => Equal(pair.First, pair.Second)),
        (Dictionary<object, object?> x, Dictionary<object, object?> y) =>
            x.Count == y.Count && x.All(entry => y.TryGetValue(entry.Key, out var other) && Equal(entry.Value, other)),
        _ => a.GetType() == b.GetType() && a.Equals(b),
    };

    /// <summary>Ordering for &lt; and kin, or null when the two cannot be ordered.</summary>
    public static int? Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => double.IsNaN(x) || double.IsNaN(y) ? null : x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        (TimeSpan x, TimeSpan y) => x.CompareTo(y),
        _ => null,
    };

    /// <summary>Map keys as CEL allows them; an int written as 1.0 is not a key.</summary>
    public static object Key(object? value, int column) => value switch
    {
        string or long or bool => value,
        _ => throw new ExpressionException($"a map key must be a string, int or bool, not {TypeName(value)}", column),
    };
}
