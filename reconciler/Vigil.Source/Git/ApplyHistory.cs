using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Source.Git;

/// <summary>How a node took one revision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReconcileOutcome>))]
public enum ReconcileOutcome
{
    /// <summary>Valid and applied; the kernel matches.</summary>
    Applied,

    /// <summary>Valid, but part of it could not be applied (say the kernel refused an IPVS change): the details say what; retried.</summary>
    PartlyApplied,

    /// <summary>Invalid (or names no such node): nothing of it applied; the node keeps running the revision before.</summary>
    Refused,
}

/// <summary>One revision a node took or refused: the history `vigil history` lists.</summary>
public sealed record HistoryEntry(
    string? Commit,
    string? Subject,
    DateTimeOffset At,
    ReconcileOutcome Outcome,
    IReadOnlyList<string> Details,
    double DurationMilliseconds)
{
    /// <summary>Who signed the commit, when the node verifies signatures and it applied.</summary>
    public string? SignedBy { get; init; }
}

/// <summary>
/// The node's history: one JSON object per line, appended (a crash loses at most the line being written, and a
/// torn last line is skipped on reading).
/// </summary>
public static class ApplyHistory
{
    public const string FileName = "history.jsonl";

    private static readonly HistoryJson Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Past this size the file becomes FILE.1 (replacing the one before) and a new one starts: at most twice it on disk.</summary>
    public const long RotateAt = 1024 * 1024;

    public static void Append(string path, HistoryEntry entry)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path) && new FileInfo(path).Length >= RotateAt)
        {
            File.Move(path, path + ".1", overwrite: true);
        }
        File.AppendAllText(path, JsonSerializer.Serialize(entry, Json.HistoryEntry) + "\n");
    }

    /// <summary>Oldest first; empty when the node has no history yet.</summary>
    public static IReadOnlyList<HistoryEntry> Read(string path)
    {
        var entries = new List<HistoryEntry>();
        foreach (var line in new[] { path + ".1", path }.Where(File.Exists).SelectMany(File.ReadLines).Where(l => l.Length > 0))
        {
            try
            {
                if (JsonSerializer.Deserialize(line, Json.HistoryEntry) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A line torn by a crash: the rest is still the history.
            }
        }
        return entries;
    }
}

/// <summary>The history's serialiser, generated at build time (no reflection: the agent also runs as a NativeAOT binary).</summary>
[JsonSerializable(typeof(HistoryEntry))]
internal sealed partial class HistoryJson : JsonSerializerContext;
