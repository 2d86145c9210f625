namespace Vigil.Demo;

/// <summary>How to start this same vigil again in another namespace: the apphost, or `dotnet vigil.dll`.</summary>
public static class VigilExecutable
{
    public static (string File, IReadOnlyList<string> Prefix) Current()
    {
        var process = Environment.ProcessPath ?? "vigil";
        var dll = Path.Combine(AppContext.BaseDirectory, "vigil.dll");
        return Path.GetFileNameWithoutExtension(process) switch
        {
            "dotnet" => (process, [dll]),
            "vigil" => (process, []),
            _ => BesideAssembly(), // hosted by another program (a test runner)
        };
    }

    /// <summary>
    /// For tests, whose own process is not vigil: the published vigil that <c>VIGIL_EXECUTABLE</c> names (test/run
    /// publishes it ReadyToRun, as it ships), else the apphost beside this assembly.
    /// </summary>
    public static (string File, IReadOnlyList<string> Prefix) BesideAssembly() =>
        Environment.GetEnvironmentVariable("VIGIL_EXECUTABLE") is { Length: > 0 } published && File.Exists(published)
            ? (published, [])
            : (Path.Combine(AppContext.BaseDirectory, "vigil"), []);
}
