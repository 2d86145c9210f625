using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Tests;

/// <summary>Files as plain values: path → text.</summary>
internal sealed class MemoryConfFiles(Dictionary<string, string> files) : IConfFiles
{
    public string? Read(string path, out string? error)
    {
        error = files.ContainsKey(path) ? null : "no such file";
        return files.GetValueOrDefault(path);
    }

    public IReadOnlyList<string> Glob(string pattern) =>
        [.. files.Keys.Where(path => ConfGlob.Matches(Path.GetFullPath(pattern), path)).Order(StringComparer.Ordinal)];
}
