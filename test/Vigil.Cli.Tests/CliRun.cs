namespace Vigil.Cli.Tests;

/// <summary>Runs the vigil command line in-process with captured output.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = VigilCommandLine.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
