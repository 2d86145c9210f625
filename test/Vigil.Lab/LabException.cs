namespace Vigil.Lab;

/// <summary>The lab did not get where a scenario needs it (no master elected, nothing announced...); the message explains.</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message) : base(message)
    {
    }

    public LabException(string message, Exception inner) : base(message, inner)
    {
    }

    public static void ThrowUnless([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new LabException(message);
        }
    }
}
