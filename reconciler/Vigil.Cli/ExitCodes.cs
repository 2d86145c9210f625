namespace Vigil.Cli;

/// <summary>Exit codes of every vigil command (also listed in README and in --help).</summary>
public static class ExitCodes
{
    /// <summary>Success; for validate, valid (warnings allowed).</summary>
    public const int Ok = 0;
    /// <summary>The configuration is invalid, or the command failed.</summary>
    public const int Failed = 1;
    /// <summary>The command line is wrong: unknown option, missing argument, no such path.</summary>
    public const int Usage = 2;
    /// <summary>plan only, as terraform plan -detailed-exitcode: there are changes to make.</summary>
    public const int Changes = 2;

    public const string Help = "Exit codes: 0 success (valid), 1 invalid configuration or failure, 2 usage error.";
}
