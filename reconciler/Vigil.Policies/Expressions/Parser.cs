namespace Vigil.Policies.Expressions;

/// <summary>
/// CEL's grammar by recursive descent, one method per precedence level. Names are checked as they are read:
/// an unknown variable or function, or a wrong number of arguments, is a compile error, not a surprise on some document.
/// </summary>
internal sealed class Parser
{
    // Deep enough for any real rule; shallow enough that hostile text cannot exhaust the stack (the parser's or the
    // evaluator's): every level of the tree counts, whether it came from brackets or from a chain like a.b.c or 1+1+1.
    internal const int MaxDepth = 100;

    private readonly List<Token> _tokens;
    private readonly IReadOnlySet<string> _globals;
    private readonly List<string> _scope = [];
    private int _position;
    private int _depth;

    private Parser(List<Token> tokens, IReadOnlySet<string> globals)
    {
        _tokens = tokens;
        _globals = globals;
    }

    public static Node Parse(string text, IReadOnlySet<string> globals)
    {
        var parser = new Parser(Lexer.Tokens(text), globals);
        var node = parser.Expression();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw new ExpressionException("unexpected text after the end of the expression", parser.Peek.Column);
        }
        return node;
    }

    private Token Peek => _tokens[_position];

    private Token Next() => _tokens[_position++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }
        _position++;
        return true;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw new ExpressionException($"expected {what}{(Peek.Kind == TokenKind.End ? " before the end" : "")}", Peek.Column);
        }
        return Next();
    }

    private void Deepen(int column)
    {
        if (++_depth > MaxDepth)
        {
            throw new ExpressionException($"the expression nests deeper than {MaxDepth} levels", column);
        }
    }

    private Node Expression()
    {
        var mark = _depth;
        Deepen(Peek.Column);
        var condition = Or();
        var result = condition;
        if (Peek.Kind == TokenKind.Question)
        {
            var column = Next().Column;
            var then = Or();
            Expect(TokenKind.Colon, "':' of a conditional");
            result = new Conditional(condition, then, Expression(), column);
        }
        _depth = mark;
        return result;
    }

    private Node Or() => LeftAssociative(And, TokenKind.Or);

    private Node And() => LeftAssociative(Relation, TokenKind.And);

    private Node Relation() => LeftAssociative(Addition, TokenKind.Equal, TokenKind.NotEqual, TokenKind.Less, TokenKind.LessEqual,
        TokenKind.Greater, TokenKind.GreaterEqual, TokenKind.In);

    private Node Addition() => LeftAssociative(Multiplication, TokenKind.Plus, TokenKind.Minus);

    private Node Multiplication() => LeftAssociative(UnaryExpression, TokenKind.Star, TokenKind.Slash, TokenKind.Percent);

    /// <summary>One precedence level: operands of the next level joined by these operators, left to right.</summary>
    private Node LeftAssociative(Func<Node> operand, params TokenKind[] operators)
    {
        var mark = _depth;
        var left = operand();
        while (Array.IndexOf(operators, Peek.Kind) >= 0)
        {
            Deepen(Peek.Column);
            var op = Next();
            left = new Binary(op.Kind, left, operand(), op.Column);
        }
        _depth = mark;
        return left;
    }

    private Node UnaryExpression()
    {
        if (Peek.Kind is TokenKind.Not or TokenKind.Minus)
        {
            var op = Next();
            var mark = _depth;
            Deepen(op.Column);
            // -9223372036854775808 is only an int when the minus is read with its digits.
            Node node = op.Kind == TokenKind.Minus && Peek is { Kind: TokenKind.Int or TokenKind.Double } number
                ? NegativeLiteral(number)
                : new Unary(op.Kind, UnaryExpression(), op.Column);
            _depth = mark;
            return node;
        }
        return Member();
    }

    private Node NegativeLiteral(Token number)
    {
        Next();
        object value = number.Value switch
        {
            long l => (object)(-l),
            ulong => long.MinValue,
            _ => -(double)number.Value!,
        };
        return Member(new Literal(value, number.Column - 1));
    }

    private Node Member() => Member(Primary());

    private Node Member(Node node)
    {
        var mark = _depth;
        while (true)
        {
            if (Peek.Kind is TokenKind.Dot or TokenKind.LeftBracket)
            {
                Deepen(Peek.Column);
            }
            if (Accept(TokenKind.Dot))
            {
                var name = Expect(TokenKind.Identifier, "a field or method name after '.'");
                var field = (string)name.Value!;
                node = Peek.Kind == TokenKind.LeftParen ? MethodCall(node, field, name.Column) : new Select(node, field, name.Column);
            }
            else if (Peek.Kind == TokenKind.LeftBracket)
            {
                var column = Next().Column;
                var index = Expression();
                Expect(TokenKind.RightBracket, "']'");
                node = new IndexOf(node, index, column);
            }
            else
            {
                _depth = mark;
                return node;
            }
        }
    }

    private Node MethodCall(Node receiver, string name, int column)
    {
        ComprehensionKind? macro = name switch
        {
            "all" => ComprehensionKind.All,
            "exists" => ComprehensionKind.Exists,
            "exists_one" => ComprehensionKind.ExistsOne,
            "map" => ComprehensionKind.Map,
            "filter" => ComprehensionKind.Filter,
            _ => null,
        };
        if (macro is { } kind)
        {
            return ComprehensionCall(receiver, kind, name, column);
        }
        var arguments = new List<Node> { receiver };
        arguments.AddRange(Arguments());
        return Resolve(new Call(name, true, arguments, column));
    }

    private Comprehension ComprehensionCall(Node range, ComprehensionKind kind, string name, int column)
    {
        Expect(TokenKind.LeftParen, "'('");
        var variable = Expect(TokenKind.Identifier, $"a variable name as the first argument of {name}()");
        var variableName = (string)variable.Value!;
        Expect(TokenKind.Comma, $"',' after {name}()'s variable");
        _scope.Add(variableName);
        var first = Expression();
        Node? second = null;
        if (Accept(TokenKind.Comma))
        {
            if (kind != ComprehensionKind.Map)
            {
                throw new ExpressionException($"{name}() takes a variable and one expression", Peek.Column);
            }
            second = Expression();
        }
        _scope.RemoveAt(_scope.Count - 1);
        Expect(TokenKind.RightParen, $"')' closing {name}()");
        return second is null
            ? new Comprehension(kind, range, variableName, null, first, column)
            : new Comprehension(kind, range, variableName, first, second, column);
    }

    private List<Node> Arguments()
    {
        Expect(TokenKind.LeftParen, "'('");
        var arguments = new List<Node>();
        if (!Accept(TokenKind.RightParen))
        {
            do
            {
                arguments.Add(Expression());
            }
            while (Accept(TokenKind.Comma));
            Expect(TokenKind.RightParen, "')' or ','");
        }
        return arguments;
    }

    private Call Resolve(Call call)
    {
        var function = Functions.Find(call.Function, call.Receiver, call.Arguments.Count)
            ?? throw new ExpressionException(Functions.Unknown(call.Function, call.Receiver, call.Arguments.Count), call.Column);
        return call with { Resolved = function };
    }

    private Node Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Int when token.Value is ulong:
                throw new ExpressionException("not a 64-bit integer", token.Column);
            case TokenKind.Int or TokenKind.Double or TokenKind.String:
                return new Literal(token.Value, token.Column);
            case TokenKind.True:
                return new Literal(true, token.Column);
            case TokenKind.False:
                return new Literal(false, token.Column);
            case TokenKind.Null:
                return new Literal(null, token.Column);
            case TokenKind.LeftParen:
                var inner = Expression();
                Expect(TokenKind.RightParen, "')'");
                return inner;
            case TokenKind.LeftBracket:
                return new ListOf(Items(TokenKind.RightBracket, "']'"), token.Column);
            case TokenKind.LeftBrace:
                return MapLiteral(token.Column);
            case TokenKind.Identifier:
                return Name((string)token.Value!, token.Column);
            case TokenKind.End:
                throw new ExpressionException("the expression ends too early", token.Column);
            default:
                throw new ExpressionException("expected a value, a name or '('", token.Column);
        }
    }

    private Node Name(string name, int column)
    {
        if (Peek.Kind != TokenKind.LeftParen)
        {
            return _scope.Contains(name) || _globals.Contains(name)
                ? new Identifier(name, column)
                : throw new ExpressionException($"unknown name '{name}' (variables: {string.Join(", ", _globals.Order(StringComparer.Ordinal))})", column);
        }
        if (name == "has")
        {
            Expect(TokenKind.LeftParen, "'('");
            var target = Expression();
            Expect(TokenKind.RightParen, "')' closing has()");
            return target is Select select ? new Has(select, column) : throw new ExpressionException("has() takes a field selection like has(object.spec.notify)", column);
        }
        return Resolve(new Call(name, false, Arguments(), column));
    }

    private List<Node> Items(TokenKind close, string what)
    {
        var items = new List<Node>();
        while (!Accept(close))
        {
            items.Add(Expression());
            if (!Accept(TokenKind.Comma))
            {
                Expect(close, what);
                break;
            }
        }
        return items;
    }

    private MapOf MapLiteral(int column)
    {
        var entries = new List<(Node, Node)>();
        while (!Accept(TokenKind.RightBrace))
        {
            var key = Expression();
            Expect(TokenKind.Colon, "':' after a map key");
            entries.Add((key, Expression()));
            if (!Accept(TokenKind.Comma))
            {
                Expect(TokenKind.RightBrace, "'}'");
                break;
            }
        }
        return new MapOf(entries, column);
    }
}
