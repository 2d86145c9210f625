namespace Vigil.Policies.Expressions;

internal enum TokenKind
{
    End, Identifier, Int, Double, String, True, False, Null, In,
    Dot, Comma, LeftParen, RightParen, LeftBracket, RightBracket, LeftBrace, RightBrace, Colon, Question,
    Not, Minus, Plus, Star, Slash, Percent, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, And, Or,
}

/// <summary>One token; <see cref="Value"/> holds a literal's value (long, double, string) or an identifier's name.</summary>
internal readonly record struct Token(TokenKind Kind, int Column, object? Value = null);
