namespace Vigil.Policies.Expressions;

/// <summary>The binary operators other than &amp;&amp; and ||, over CEL's types; int arithmetic is checked.</summary>
internal static class Arithmetic
{
    public static object? Apply(TokenKind op, object? a, object? b, int column)
    {
        switch (op)
        {
            case TokenKind.Equal:
                return Values.Equal(a, b);
            case TokenKind.NotEqual:
                return !Values.Equal(a, b);
            case TokenKind.In:
                return In(a, b, column);
            case TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual:
                var order = Values.Compare(a, b) ?? throw new ExpressionException($"cannot order {Values.TypeName(a)} and {Values.TypeName(b)}", column);
                return op switch
                {
                    TokenKind.Less => order < 0,
                    TokenKind.LessEqual => order <= 0,
                    TokenKind.Greater => order > 0,
                    _ => order >= 0,
                };
        }
        try
        {
            return (op, a, b) switch
            {
                (TokenKind.Plus, long x, long y) => checked(x + y),
                (TokenKind.Minus, long x, long y) => checked(x - y),
                (TokenKind.Star, long x, long y) => checked(x * y),
                (TokenKind.Slash, long x, long y) => y == 0 ? throw new ExpressionException("division by zero", column) : checked(x / y),
                (TokenKind.Percent, long x, long y) => y == 0 ? throw new ExpressionException("modulus by zero", column) : x % y,
                (TokenKind.Plus, double x, double y) => x + y,
                (TokenKind.Minus, double x, double y) => x - y,
                (TokenKind.Star, double x, double y) => x * y,
                (TokenKind.Slash, double x, double y) => x / y,
                (TokenKind.Plus, string x, string y) => x + y,
                (TokenKind.Plus, List<object?> x, List<object?> y) => x.Concat(y).ToList(),
                (TokenKind.Plus, TimeSpan x, TimeSpan y) => x + y,
                (TokenKind.Minus, TimeSpan x, TimeSpan y) => x - y,
                _ => throw new ExpressionException($"'{Symbol(op)}' does not apply to {Values.TypeName(a)} and {Values.TypeName(b)}", column),
            };
        }
        catch (OverflowException)
        {
            throw new ExpressionException("integer overflow", column);
        }
    }

    public static object? Negate(object? value, int column) => value switch
    {
        long l => l == long.MinValue ? throw new ExpressionException("integer overflow", column) : -l,
        double d => -d,
        TimeSpan t => -t,
        _ => throw new ExpressionException($"'-' does not apply to {Values.TypeName(value)}", column),
    };

    private static bool In(object? item, object? container, int column) => container switch
    {
        List<object?> list => list.Exists(element => Values.Equal(item, element)),
        Dictionary<object, object?> map => item is string or long or bool && map.ContainsKey(item),
        _ => throw new ExpressionException($"'in' needs a list or a map on its right, got {Values.TypeName(container)}", column),
    };

    private static string Symbol(TokenKind op) => op switch
    {
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        _ => "%",
    };
}
