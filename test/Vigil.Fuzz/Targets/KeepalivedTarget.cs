using System.Text;
using Vigil.Import.KeepalivedConf;
using Vigil.Import.Merging;

namespace Vigil.Fuzz.Targets;

/// <summary>
/// A keepalived.conf handed to `vigil import`: keepalived's language (includes, definitions, ~SEQ, @id lines, quotes),
/// the keywords read into drafts, two nodes merged, the folder and IMPORT.md written. The same bytes are both nodes'
/// file (each with its own @id lines), and a file that includes itself or a glob of the folder finds only itself.
/// </summary>
public sealed class KeepalivedTarget : IFuzzTarget
{
    private const string File = "/etc/keepalived/keepalived.conf";

    public string Name => "keepalived";

    public void Run(ReadOnlySpan<byte> input)
    {
        var files = new OneFile(Encoding.UTF8.GetString(input));
        _ = ClusterImport.Run(files, [new NodeFile("ka1", File), new NodeFile("ka2", File)], new ImportOptions());
    }

    private sealed class OneFile(string text) : IConfFiles
    {
        public string? Read(string path, out string? error)
        {
            error = path == File ? null : "no such file";
            return path == File ? text : null;
        }

        public IReadOnlyList<string> Glob(string pattern) => ConfGlob.Matches(pattern, File) ? [File] : [];
    }
}
