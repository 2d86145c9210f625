namespace Vigil.Policies.Expressions;

/// <summary>
/// Why an expression does not compile, or cannot be evaluated on one document, with the column (1-based) in the
/// expression text where it went wrong. Messages never quote a document's values: a rule may read a password.
/// </summary>
public sealed class ExpressionException(string message, int column) : Exception(message)
{
    public int Column { get; } = column;

    /// <summary>The step budget ran out: no other part of the expression may absorb this one.</summary>
    internal bool Exhausted { get; init; }
}
