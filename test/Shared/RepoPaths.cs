namespace Vigil.Tests;

/// <summary>Finds the repository's own folders (examples/, schemas/) from a test binary's location.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    public static string Schemas => Path.Combine(Root, "schemas");

    public static IEnumerable<string> ExampleNames() =>
        Directory.EnumerateDirectories(Examples).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples")) && Directory.Exists(Path.Combine(dir.FullName, "schemas")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("no folder above the test binary holds examples/ and schemas/");
    }
}
