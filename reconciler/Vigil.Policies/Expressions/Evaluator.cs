namespace Vigil.Policies.Expressions;

/// <summary>
/// Evaluates a parsed expression with CEL's semantics: <c>&amp;&amp;</c> and <c>||</c> absorb an error when the
/// other side decides (<c>has(x.a) &amp;&amp; x.a &gt; 1</c> and <c>x.a &gt; 1 &amp;&amp; has(x.a)</c> mean the same),
/// integers never overflow silently, and every step is counted against a budget so no document can make a rule run long.
/// </summary>
internal sealed class Evaluator(IReadOnlyDictionary<string, object?> globals, int budget)
{
    private readonly Dictionary<string, object?> _locals = new(StringComparer.Ordinal);
    private int _steps;

    public object? Evaluate(Node node)
    {
        if (++_steps > budget)
        {
            throw new ExpressionException($"the rule took more than {budget} steps on this document", node.Column) { Exhausted = true };
        }
        return node switch
        {
            Literal literal => literal.Value,
            Identifier identifier => _locals.TryGetValue(identifier.Name, out var local) ? local : globals[identifier.Name],
            Select select => Field(Evaluate(select.Operand), select.Field, select.Column),
            Has has => HasField(Evaluate(has.Target.Operand), has.Target.Field, has.Column),
            IndexOf index => Index(Evaluate(index.Operand), Evaluate(index.Index), index.Column),
            Call call => call.Resolved.Invoke([.. call.Arguments.Select(Evaluate)], call.Column),
            ListOf list => list.Items.Select(Evaluate).ToList(),
            MapOf map => MapLiteral(map),
            Unary unary => UnaryOperation(unary),
            Binary { Operator: TokenKind.And or TokenKind.Or } logical => Logical(logical),
            Binary binary => Arithmetic.Apply(binary.Operator, Evaluate(binary.Left), Evaluate(binary.Right), binary.Column),
            Conditional conditional => Evaluate(Truth(Evaluate(conditional.Condition), conditional.Column) ? conditional.Then : conditional.Else),
            Comprehension comprehension => Comprehend(comprehension),
            _ => throw new InvalidOperationException($"unhandled node {node.GetType().Name}"),
        };
    }

    private static bool Truth(object? value, int column) =>
        value as bool? ?? throw new ExpressionException($"expected true or false here, got {Values.TypeName(value)}", column);

    private static object? Field(object? operand, string field, int column) => operand switch
    {
        Dictionary<object, object?> map => map.TryGetValue(field, out var value) ? value
            : throw new ExpressionException($"no field '{field}' here (guard it with has())", column),
        _ => throw new ExpressionException($"cannot read field '{field}' of {Values.TypeName(operand)}", column),
    };

    private static bool HasField(object? operand, string field, int column) => operand switch
    {
        Dictionary<object, object?> map => map.ContainsKey(field),
        _ => throw new ExpressionException($"has() needs a map to look in, got {Values.TypeName(operand)}", column),
    };

    private static object? Index(object? operand, object? index, int column) => (operand, index) switch
    {
        (List<object?> list, long i) => i >= 0 && i < list.Count ? list[(int)i]
            : throw new ExpressionException($"index {i} is outside a list of {list.Count}", column),
        (List<object?> list, double d) when d == Math.Floor(d) => Index(list, (long)d, column),
        (Dictionary<object, object?> map, _) => map.TryGetValue(Values.Key(index, column), out var value) ? value
            : throw new ExpressionException("no such key in the map", column),
        _ => throw new ExpressionException($"cannot index {Values.TypeName(operand)} with {Values.TypeName(index)}", column),
    };

    private Dictionary<object, object?> MapLiteral(MapOf map)
    {
        var result = new Dictionary<object, object?>();
        foreach (var (key, value) in map.Entries)
        {
            if (!result.TryAdd(Values.Key(Evaluate(key), key.Column), Evaluate(value)))
            {
                throw new ExpressionException("a map literal names the same key twice", key.Column);
            }
        }
        return result;
    }

    private object? UnaryOperation(Unary unary)
    {
        var operand = Evaluate(unary.Operand);
        return unary.Operator == TokenKind.Not
            ? !Truth(operand, unary.Column)
            : Arithmetic.Negate(operand, unary.Column);
    }

    /// <summary>CEL's commutative logic: a side that decides wins even over an error on the other side.</summary>
    private bool Logical(Binary logical)
    {
        var deciding = logical.Operator == TokenKind.Or;
        var (left, leftError) = Try(logical.Left);
        if (left == deciding)
        {
            return deciding;
        }
        var (right, rightError) = Try(logical.Right);
        if (right == deciding)
        {
            return deciding;
        }
        if (leftError is not null)
        {
            throw leftError;
        }
        return rightError is not null ? throw rightError : !deciding;
    }

    private (bool? Value, ExpressionException? Error) Try(Node node)
    {
        try
        {
            var value = Evaluate(node);
            return value is bool b ? (b, null) : (null, new ExpressionException($"expected true or false here, got {Values.TypeName(value)}", node.Column));
        }
        catch (ExpressionException e) when (!e.Exhausted)
        {
            return (null, e);
        }
    }

    private object? Comprehend(Comprehension c)
    {
        var items = Evaluate(c.Range) switch
        {
            List<object?> list => list,
            Dictionary<object, object?> map => map.Keys.Select(k => (object?)k).ToList(),
            var other => throw new ExpressionException($"{Name(c.Kind)}() needs a list or a map, got {Values.TypeName(other)}", c.Column),
        };
        var shadowed = _locals.TryGetValue(c.Variable, out var outer);
        try
        {
            return c.Kind switch
            {
                ComprehensionKind.All => Quantify(items, c, deciding: false),
                ComprehensionKind.Exists => Quantify(items, c, deciding: true),
                ComprehensionKind.ExistsOne => items.Count(item => Truth(Bind(c, item, c.Body), c.Body.Column)) == 1,
                ComprehensionKind.Filter => items.Where(item => Truth(Bind(c, item, c.Body), c.Body.Column)).ToList(),
                _ => items.Where(item => c.Filter is null || Truth(Bind(c, item, c.Filter), c.Filter.Column)).Select(item => Bind(c, item, c.Body)).ToList(),
            };
        }
        finally
        {
            if (shadowed)
            {
                _locals[c.Variable] = outer;
            }
            else
            {
                _locals.Remove(c.Variable);
            }
        }
    }

    private object? Bind(Comprehension c, object? item, Node body)
    {
        _locals[c.Variable] = item;
        return Evaluate(body);
    }

    /// <summary>all() and exists(): like &amp;&amp; and ||, an item that decides outweighs an error on another.</summary>
    private bool Quantify(List<object?> items, Comprehension c, bool deciding)
    {
        ExpressionException? first = null;
        foreach (var item in items)
        {
            _locals[c.Variable] = item;
            var (value, error) = Try(c.Body);
            if (value == deciding)
            {
                return deciding;
            }
            first ??= error;
        }
        return first is not null ? throw first : !deciding;
    }

    private static string Name(ComprehensionKind kind) => kind switch
    {
        ComprehensionKind.ExistsOne => "exists_one",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
