using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace Vigil.Cli.Demo;

/// <summary>
/// The demo's git repository: the example's YAML as the first commit, then the commits the demo makes as an
/// operator would (a VIP added). Made with LibGit2Sharp, so the demo needs no git command.
/// </summary>
internal sealed partial class DemoRepository : IDisposable
{
    private static readonly Signature Operator = new("vigil demo", "demo@example.org", DateTimeOffset.Now);
    private readonly Repository _repository;

    public DemoRepository(string path, string from)
    {
        Path = path;
        Repository.Init(path);
        // The agents follow main (their --ref default), whatever git's default branch name here: the unborn HEAD names it.
        File.WriteAllText(System.IO.Path.Combine(path, ".git", "HEAD"), "ref: refs/heads/main\n");
        _repository = new Repository(path);
        // The rollback's revert commits need an author, as any git commit does.
        _repository.Config.Set("user.name", Operator.Name);
        _repository.Config.Set("user.email", Operator.Email);
        foreach (var file in Source.DesiredStateLoader.EnumerateYaml(from))
        {
            var target = System.IO.Path.Combine(path, System.IO.Path.GetRelativePath(from, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Commit($"cluster as in {System.IO.Path.GetFileName(from.TrimEnd('/'))}");
    }

    public string Path { get; }

    /// <summary>Adds <paramref name="vip"/> after the first VIP <paramref name="after"/> in whichever file lists it, and commits.</summary>
    public string AddVip(string after, string vip)
    {
        foreach (var file in Directory.EnumerateFiles(Path, "*.yaml", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var line = VipLine().Matches(text).FirstOrDefault(m => m.Groups["address"].Value.StartsWith(after + "/", StringComparison.Ordinal));
            if (line is not null)
            {
                var prefix = line.Groups["address"].Value[(after.Length + 1)..];
                File.WriteAllText(file, text.Insert(line.Index + line.Length, $"\n{line.Groups["indent"].Value}- address: {vip}/{prefix}"));
                return Commit($"add VIP {vip}");
            }
        }
        throw new InvalidOperationException($"no file lists the VIP {after}");
    }

    private string Commit(string message)
    {
        LibGit2Sharp.Commands.Stage(_repository, "*");
        // Not tidied by libgit2 (LibGit2Sharp's call for it returns nothing under NativeAOT): one line and its end.
        return _repository.Commit(message.TrimEnd('\n') + "\n", Operator, Operator, new CommitOptions { PrettifyMessage = false }).Sha;
    }

    [GeneratedRegex(@"^(?<indent>[ ]*)- address: (?<address>\S+)", RegexOptions.Multiline)]
    private static partial Regex VipLine();

    public void Dispose() => _repository.Dispose();
}
