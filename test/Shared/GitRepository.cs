using System.Diagnostics;

namespace Vigil.Tests;

/// <summary>
/// A real repository driven by the git command line (an implementation independent of LibGit2Sharp): what an
/// operator's repository is, commits made the way an operator makes them.
/// </summary>
internal sealed class GitRepository
{
    public GitRepository(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "ops@example.org");
        Git("config", "user.name", "ops");
    }

    public string Path { get; }

    /// <summary>Copies a folder's files and subfolders (an example, a lab's configuration) into <paramref name="folder"/> of the work tree.</summary>
    public void CopyIn(string from, string folder)
    {
        var target = System.IO.Path.Combine(Path, folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(from, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(to)!);
            System.IO.File.Copy(file, to, overwrite: true);
        }
    }

    /// <summary>Writes a work-tree file, making its folders.</summary>
    public void Write(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
    }

    public string PathOf(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Replaces text in a work-tree file; fails when the text is not there (a test that changes nothing proves nothing).</summary>
    public void Edit(string relative, string from, string to)
    {
        var path = PathOf(relative);
        var text = System.IO.File.ReadAllText(path);
        if (!text.Contains(from, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{relative} has no '{from}'");
        }
        System.IO.File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>Commits everything in the work tree; returns the new commit's SHA.</summary>
    public string Commit(string message, bool allowEmpty = false)
    {
        Git("add", "-A");
        Git(allowEmpty ? ["commit", "-q", "--allow-empty", "-m", message] : ["commit", "-q", "-m", message]);
        return Git("rev-parse", "HEAD");
    }

    public string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git", ["-C", Path, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Fixed dates and no signing: the same commits give the same SHAs on every run (golden outputs show them).
        start.Environment["GIT_AUTHOR_DATE"] = start.Environment["GIT_COMMITTER_DATE"] = "2026-11-25T10:00:00+00:00";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error.Result}");
        }
        return output.Trim();
    }
}
