namespace Vigil.Policies.Expressions;

/// <summary>The parsed expression; <see cref="Column"/> (1-based) is where errors point.</summary>
internal abstract record Node(int Column);

internal sealed record Literal(object? Value, int Column) : Node(Column);

internal sealed record Identifier(string Name, int Column) : Node(Column);

internal sealed record Select(Node Operand, string Field, int Column) : Node(Column);

/// <summary>The <c>has(a.b)</c> macro: whether map <c>a</c> holds key <c>b</c>.</summary>
internal sealed record Has(Select Target, int Column) : Node(Column);

internal sealed record IndexOf(Node Operand, Node Index, int Column) : Node(Column);

/// <summary>A function call; a receiver-style call (<c>s.startsWith(p)</c>) has the receiver as its first argument.</summary>
internal sealed record Call(string Function, bool Receiver, IReadOnlyList<Node> Arguments, int Column) : Node(Column)
{
    public Function Resolved { get; init; } = null!;
}

internal sealed record ListOf(IReadOnlyList<Node> Items, int Column) : Node(Column);

internal sealed record MapOf(IReadOnlyList<(Node Key, Node Value)> Entries, int Column) : Node(Column);

internal sealed record Unary(TokenKind Operator, Node Operand, int Column) : Node(Column);

internal sealed record Binary(TokenKind Operator, Node Left, Node Right, int Column) : Node(Column);

internal sealed record Conditional(Node Condition, Node Then, Node Else, int Column) : Node(Column);

internal enum ComprehensionKind { All, Exists, ExistsOne, Map, Filter }

/// <summary><c>range.all(x, body)</c> and its kin; <see cref="Filter"/> is map's optional middle argument.</summary>
internal sealed record Comprehension(ComprehensionKind Kind, Node Range, string Variable, Node? Filter, Node Body, int Column) : Node(Column);
