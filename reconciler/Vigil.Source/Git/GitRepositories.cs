using LibGit2Sharp;

namespace Vigil.Source.Git;

/// <summary>
/// Opens repositories and reads their configuration as git would, the same with or without NativeAOT (where
/// LibGit2Sharp finds neither a repository upwards from a folder nor the global configuration files: see <see cref="Libgit2"/>).
/// </summary>
public static class GitRepositories
{
    /// <summary>The repository <paramref name="path"/> is inside, searching upwards as git does.</summary>
    public static Repository Discover(string path) =>
        new(Libgit2.Discover(path) ?? throw new GitSourceException($"{path}: not in a git repository"));

    /// <summary>
    /// The repository's configuration with the global, XDG and system files libgit2 itself finds (user.name and
    /// user.email are usually global).
    /// </summary>
    public static Configuration Configuration(Repository repository) => LibGit2Sharp.Configuration.BuildFrom(
        Path.Combine(repository.Info.Path, "config"), Libgit2.ConfigFile("global"), Libgit2.ConfigFile("xdg"), Libgit2.ConfigFile("system"));
}
