using System.Diagnostics;
using System.Text;
using Vigil.Source.Yaml;

namespace Vigil.Source.Tests;

/// <summary>
/// Hostile but well-formed input (any committer's file is input): each is refused with a clear error at its file and
/// line, in bounded time and memory, and nothing else of the revision is taken for valid.
/// </summary>
public sealed class HostileInputTests
{
    [Fact]
    public void AYamlBombOfAliases_IsRefused_BeforeItExpands()
    {
        // Nine levels of nine aliases: 9^9 (387 million) values once expanded.
        var yaml = new StringBuilder("apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: bomb\nspec:\n  script: /bin/true\n  extra:\n");
        yaml.Append("    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            yaml.Append($"    {level}: &{level} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 9))}]\n");
        }

        var (result, allocated) = Measure(() => Loading.Text(Loading.Cluster + yaml));

        var error = Assert.Single(result.Diagnostics, d => d.Rule == "yaml");
        Assert.Contains("expands to more than 2,000,000 values", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.yaml:", error.ToString(), StringComparison.Ordinal);
        Assert.Null(result.State);
        Assert.True(allocated < 1_000_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void ADeeplyNestedDocument_IsRefused_WithoutExhaustingTheStack()
    {
        var yaml = Loading.Cluster + "apiVersion: vigil/v1\nkind: VrrpScript\nmetadata:\n  name: deep\nspec:\n  x: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = Loading.Text(yaml);

        var error = Assert.Single(result.Diagnostics, d => d.Rule == "yaml");
        Assert.Contains($"nested deeper than {InputLimits.Depth} levels", error.Message, StringComparison.Ordinal);
        Assert.Null(result.State);
    }

    [Fact]
    public void AMillionDocuments_AreRefused_AtTheFirstOneTooMany()
    {
        var yaml = new StringBuilder(Loading.Cluster);
        for (var i = 0; i < 1_000_000; i++)
        {
            yaml.Append("---\na: 1\n");
        }

        var (result, allocated) = Measure(() => Loading.Text(yaml.ToString()));

        var error = Assert.Single(result.Diagnostics, d => d.Rule == "yaml");
        Assert.Contains("more than 10,000 documents in one file", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1_000_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void AHundredMegabyteFile_IsRefused_WithoutBeingReadWhole()
    {
        var folder = Directory.CreateTempSubdirectory("vigil-big-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "cluster.yaml"), Loading.Cluster);
            using (var big = File.Create(Path.Combine(folder, "big.yaml")))
            {
                var line = Encoding.ASCII.GetBytes("# padding padding padding padding padding padding padding padding padding pad\n");
                for (var written = 0L; written < 100L * 1024 * 1024; written += line.Length)
                {
                    big.Write(line);
                }
            }

            var (result, allocated) = Measure(() => new DesiredStateLoader().LoadPath(folder));

            var error = Assert.Single(result.Diagnostics);
            Assert.Equal("file-size", error.Rule);
            Assert.EndsWith("big.yaml:1:1: error: the file is larger than 16 MiB, the most one file of a revision may be: split it [file-size]", error.ToString(), StringComparison.Ordinal);
            Assert.Null(result.State);
            Assert.True(allocated < 200_000_000, $"{allocated:N0} bytes allocated");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (T Result, long Allocated) Measure<T>(Func<T> load)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = load();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
