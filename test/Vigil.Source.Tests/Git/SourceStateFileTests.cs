using Vigil.Source.Git;

namespace Vigil.Source.Tests.Git;

public sealed class SourceStateFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-state-").FullName;

    [Fact]
    public void SaveThenLoad_GivesTheSameState_AsAfterARestart()
    {
        var path = Path.Combine(_folder, "node", "ka1.source.json");
        var state = new SourceState
        {
            LastFetched = "b".PadRight(40, 'b'),
            LastApplied = "a".PadRight(40, 'a'),
            LastGood = "a".PadRight(40, 'a'),
            LastError = "vi_1.yaml:9:5: error: spec.virtualRouterId: 300 is above 255",
            LastErrorCommit = "b".PadRight(40, 'b'),
            UpdatedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
        };

        SourceStateFile.Save(path, state);

        Assert.Equal(state, SourceStateFile.Load(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
    }

    [Fact]
    public void Load_NoFile_IsEmpty_AndAnUnreadableOneSaysWhatToDo()
    {
        Assert.Equal(SourceState.Empty, SourceStateFile.Load(Path.Combine(_folder, "none.json")));

        var broken = Path.Combine(_folder, "broken.json");
        File.WriteAllText(broken, "{ not json");
        var refused = Assert.Throws<GitSourceException>(() => SourceStateFile.Load(broken));
        Assert.StartsWith($"{broken}: not a Vigil source state file", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("move it away to start afresh", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
