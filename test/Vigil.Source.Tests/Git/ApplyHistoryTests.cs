using Vigil.Source.Git;

namespace Vigil.Source.Tests.Git;

public sealed class ApplyHistoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-history-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The history of a node that applies commits for years stays at most twice the rotation size on disk.</summary>
    [Fact]
    public void Append_PastTheRotationSize_KeepsOnePreviousFile_AndReadsBothInOrder()
    {
        var path = Path.Combine(_folder, ApplyHistory.FileName);
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var detail = new string('x', 1000);

        for (var i = 0; i < 3000; i++)
        {
            ApplyHistory.Append(path, new HistoryEntry($"{i:x40}", $"commit {i}", at.AddSeconds(i), ReconcileOutcome.Applied, [detail], 1.5));
        }

        var onDisk = new FileInfo(path).Length + new FileInfo(path + ".1").Length;
        Assert.InRange(onDisk, ApplyHistory.RotateAt, 2 * ApplyHistory.RotateAt + 4096);
        var entries = ApplyHistory.Read(path);
        Assert.Equal("commit 2999", entries[^1].Subject);
        Assert.True(entries.Count < 3000);
        Assert.Equal(entries.OrderBy(e => e.At), entries);
    }
}
