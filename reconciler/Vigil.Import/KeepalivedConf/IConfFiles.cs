namespace Vigil.Import.KeepalivedConf;

/// <summary>The files a configuration and its includes are read from: the disk in the CLI, a dictionary in tests.</summary>
public interface IConfFiles
{
    /// <summary>The file's text, or null when it cannot be read (<paramref name="error"/> says why).</summary>
    string? Read(string path, out string? error);

    /// <summary>The paths matching an absolute glob pattern (* ? [...] per path segment), in glob(3)'s sorted order.</summary>
    IReadOnlyList<string> Glob(string pattern);
}
