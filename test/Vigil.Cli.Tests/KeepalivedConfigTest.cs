using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vigil.Cli.Tests;

/// <summary>
/// Debian's keepalived -t on a configuration, in a namespace with the interfaces the tests' clusters name (eth0, eth1:
/// keepalived -t refuses a missing one), on copies in a folder of its own. Needs root and keepalived (test/run has both).
/// </summary>
internal sealed partial class KeepalivedConfigTest : IDisposable
{
    private static readonly string[] KeepalivedPaths = ["/usr/sbin/keepalived", "/sbin/keepalived"];

    private readonly TestNamespace _namespace;
    private readonly string _keepalived;

    public KeepalivedConfigTest()
    {
        var keepalived = KeepalivedPaths.FirstOrDefault(File.Exists);
        if (keepalived is null)
        {
            Skips.Missing("keepalived is not installed (test/run installs Debian's keepalived)");
        }
        // Without root keepalived disables every script it could not run as its user, and says so: the test needs root.
        Skips.IfMissing(Environment.UserName == "root" ? null : "keepalived -t checks scripts as root (it runs them as their user): run as root");
        _keepalived = keepalived!;
        _namespace = new TestNamespace();
        Skips.IfMissing(_namespace.Ready ? null : TestNamespace.SkipReason);
        Assert.True(_namespace.NameThePairEth0AndEth1(), "the namespace's veth pair could not be renamed eth0 and eth1");
        Folder = Directory.CreateTempSubdirectory("vigil-keepalived-t-").FullName;
    }

    /// <summary>Where copies go; deleted with this.</summary>
    public string Folder { get; }

    /// <summary>
    /// keepalived -t -i <paramref name="configId"/> on <paramref name="file"/> (a copy in <see cref="Folder"/>, with
    /// what it includes beside it), after <see cref="ScriptsAsRoot"/>: its exit code and all it printed.
    /// </summary>
    public (int ExitCode, string Output) Run(string file, string configId)
    {
        foreach (var conf in Directory.EnumerateFiles(Folder, "*.conf", SearchOption.AllDirectories))
        {
            File.WriteAllText(conf, ScriptsAsRoot(File.ReadAllText(conf)));
        }
        using var process = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", _namespace.Name, _keepalived, "-t", "-n", "-l", "-f", file, "-i", configId])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>
    /// keepalived 2.2.7's -t kills itself (SIGTERM, nothing printed, nothing after it checked) at the first notify or
    /// checker script whose user is not its own: after checking the script as that user it looks for its parent, which
    /// in a config test is not keepalived (lib/notify.c, check_script_secure). The file keepalived checks runs every
    /// script as root; RenderCommandTests.RenderedScripts_RunAsTheConfiguredUsers checks the users Vigil wrote.
    /// </summary>
    public static string ScriptsAsRoot(string conf) => string.Join('\n', conf.Split('\n')
        .Where(line => !UserLine().IsMatch(line))
        .Select(line => line.TrimStart().StartsWith("script_user ", StringComparison.Ordinal) ? "    script_user root" : ScriptUsers().Replace(line, "$1")));

    [GeneratedRegex(@"^\s*user \S+( \S+)?$")]
    private static partial Regex UserLine();

    [GeneratedRegex(@"^(\s*(?:\w*notify\w*|quorum_up|quorum_down) "".*"")( \S+){1,2}$")]
    public static partial Regex ScriptUsers();

    public void Dispose()
    {
        _namespace.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
