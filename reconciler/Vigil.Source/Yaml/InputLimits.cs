using System.Text;

namespace Vigil.Source.Yaml;

/// <summary>
/// What one file of a revision may hold: any committer's file is input, and a hostile one (a YAML bomb of aliases, a
/// 100 MB file, a million documents, a document nested a hundred thousand deep) must cost bounded memory and time
/// and end in a clear error, never an exhausted agent. Real configurations are far inside these.
/// </summary>
public static class InputLimits
{
    /// <summary>Characters in one file (16 MiB of ASCII; the 1,000-instance, 10,000-real-server benchmark tree is 2.1 MiB in all).</summary>
    public const int FileCharacters = 16 * 1024 * 1024;

    public const int DocumentsPerFile = 10_000;

    /// <summary>Nesting of mappings and sequences (a Vigil document needs about 8).</summary>
    public const int Depth = 64;

    /// <summary>Values in one file, every alias counted as the copy it becomes.</summary>
    public const int NodesPerFile = 2_000_000;

    /// <summary>
    /// A file's text, read no further than a chunk past <see cref="FileCharacters"/>: a larger file is then
    /// refused by the reader without having been held in memory whole.
    /// </summary>
    public static string ReadText(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = new StringBuilder();
        var chunk = new char[64 * 1024];
        int read;
        while (text.Length <= FileCharacters && (read = reader.Read(chunk, 0, chunk.Length)) > 0)
        {
            text.Append(chunk, 0, read);
        }
        return text.ToString();
    }

    public static string ReadText(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadText(stream);
    }
}
