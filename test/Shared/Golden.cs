namespace Vigil.Tests;

/// <summary>
/// Golden files. <c>VIGIL_UPDATE_GOLDEN=1</c> rewrites a file whose content differs and then fails that test, so an
/// update run never passes by comparing output with itself: review the diff, then run again without it. Under CI the
/// variable is refused.
/// </summary>
internal static class Golden
{
    public const string UpdateVariable = "VIGIL_UPDATE_GOLDEN";

    public static void AssertMatches(string path, string actual)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Assert.False(Skips.Strict, $"{UpdateVariable}=1 under CI: golden files are updated by a developer, never by CI");
            if (!File.Exists(path) || File.ReadAllText(path) != actual)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, actual);
                Assert.Fail($"rewrote {Path.GetRelativePath(RepoPaths.Root, path)}: review the change, then run again without {UpdateVariable}");
            }
        }
        Assert.True(File.Exists(path), $"no golden file {Path.GetRelativePath(RepoPaths.Root, path)} (run once with {UpdateVariable}=1 and review it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
