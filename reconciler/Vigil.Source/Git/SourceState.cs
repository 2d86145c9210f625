using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Source.Git;

/// <summary>
/// What a node knows of its git source, kept across restarts: the last commit fetched, the last one applied, the
/// last good one (valid and applied without error: what the node runs when a newer commit is refused), and why the
/// newest was refused, if it was.
/// </summary>
public sealed record SourceState
{
    public string? LastFetched { get; init; }
    public string? LastApplied { get; init; }
    public string? LastGood { get; init; }
    public string? LastError { get; init; }
    /// <summary>The commit <see cref="LastError"/> is about.</summary>
    public string? LastErrorCommit { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Units the running revision keeps at an earlier commit (fault isolation); null when it runs one commit whole.</summary>
    public IReadOnlyList<HeldUnit>? HeldUnits { get; init; }

    public static readonly SourceState Empty = new();
}

/// <summary>The state file (JSON), written whole to a temporary file and renamed over, so a crash never leaves half of it.</summary>
public static class SourceStateFile
{

    /// <summary>The saved state, or <see cref="SourceState.Empty"/> when there is none yet.</summary>
    public static SourceState Load(string path)
    {
        if (!File.Exists(path))
        {
            return SourceState.Empty;
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), SourceStateJson.Default.SourceState) ?? SourceState.Empty;
        }
        catch (JsonException e)
        {
            throw new GitSourceException($"{path}: not a Vigil source state file ({e.Message}); move it away to start afresh", e);
        }
    }

    public static void Save(string path, SourceState state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, SourceStateJson.Default.SourceState));
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>The state file's serialiser, generated at build time (no reflection: the agent also runs as a NativeAOT binary).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SourceState))]
internal sealed partial class SourceStateJson : JsonSerializerContext;
