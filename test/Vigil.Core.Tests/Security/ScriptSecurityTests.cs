using Vigil.Core.Desired;
using Vigil.Core.Security;
using Vigil.Core.Validation;

namespace Vigil.Core.Tests.Security;

/// <summary>
/// keepalived's script security on plain values: a script that runs as root is refused when its file or a folder
/// above it can be changed by someone else than root, along the path as written and with links resolved; scripts
/// run as another user are not held to it; scripts naming no user never run as root by default.
/// </summary>
public sealed class ScriptSecurityTests
{
    private static readonly SourceOrigin Origin = new("checks/web.yaml", new SourcePosition(1, 1),
        new Dictionary<string, SourcePosition> { ["spec.script"] = new(7, 11) });

    private sealed class Files : IScriptFiles
    {
        public Dictionary<string, FileFacts> Entries { get; } = new()
        {
            ["/"] = Dir(Octal("755")),
            ["/etc"] = Dir(Octal("755")),
            ["/etc/vigil"] = Dir(Octal("755")),
            ["/etc/vigil/check.sh"] = File(Octal("755")),
            ["/tmp"] = Dir(Octal("1777")),
            ["/tmp/check.sh"] = File(Octal("755")),
            ["/usr"] = Dir(Octal("755")),
            ["/usr/bin"] = Dir(Octal("755")),
            ["/usr/bin/true"] = File(Octal("755")),
            ["/bin"] = new(FileKind.SymbolicLink, 0, 0, Octal("777")),
            ["/bin/true"] = File(Octal("755")), // lstat follows the links above the last component
        };

        public Dictionary<string, string> Links { get; } = new() { ["/bin/true"] = "/usr/bin/true" };

        public FileFacts? Stat(string path) => Entries.GetValueOrDefault(path);

        public string? RealPath(string path) => Links.GetValueOrDefault(path, path);

        public string? Find(string program) => program.StartsWith('/') ? (Entries.ContainsKey(program) || Links.ContainsKey(program) ? program : null) : null;

        public static FileFacts Dir(uint mode, uint owner = 0, uint group = 0) => new(FileKind.Directory, owner, group, mode);

        public static FileFacts File(uint mode, uint owner = 0, uint group = 0) => new(FileKind.File, owner, group, mode);
    }

    private static uint Octal(string digits) => Convert.ToUInt32(digits, 8);

    private static IReadOnlyList<Diagnostic> Check(Files files, string command, string? user = null, bool agentIsRoot = true, ScriptRunAs? runAs = null) =>
        ScriptSecurity.Check([new NodeScript(command, user, null, Origin, "spec.script")], runAs ?? new ScriptRunAs("root", null), agentIsRoot, files);

    [Fact]
    public void RootsOwnScript_InRootsFolders_Passes_ThroughALinkedFolderToo()
    {
        var files = new Files();
        Assert.Empty(Check(files, "/etc/vigil/check.sh --fast"));
        Assert.Empty(Check(files, "/bin/true"));
        Assert.Empty(Check(files, "/tmp/check.sh")); // a sticky folder may be writable by all
    }

    [Theory]
    [InlineData("/etc/vigil/check.sh", "757", 0u, 0u, "/etc/vigil/check.sh is writable by everyone (mode 0757)")]
    [InlineData("/etc/vigil/check.sh", "775", 0u, 1000u, "/etc/vigil/check.sh is writable by group 1000 (mode 0775)")]
    [InlineData("/etc/vigil/check.sh", "755", 1000u, 0u, "/etc/vigil/check.sh is owned by uid 1000, not root")]
    [InlineData("/etc/vigil", "777", 0u, 0u, "/etc/vigil is writable by everyone (mode 0777)")]
    [InlineData("/etc", "775", 0u, 50u, "/etc is writable by group 50 (mode 0775)")]
    public void AScriptRunAsRoot_ThatSomeoneElseCanChange_IsAnError_AtItsFileAndLine(string path, string mode, uint owner, uint group, string reason)
    {
        var files = new Files();
        files.Entries[path] = files.Entries[path] with { Mode = Octal(mode), Owner = owner, Group = group };

        var finding = Assert.Single(Check(files, "/etc/vigil/check.sh"));

        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal(
            $"checks/web.yaml:7:11: error: spec.script: '/etc/vigil/check.sh' runs as root but {reason}: whoever can change it runs code as root; make it and every folder above it root's alone, or run it as another user [script-insecure]",
            finding.ToString());
    }

    [Fact]
    public void ALinkToAnUnsafeFile_IsCheckedWhereItLeads()
    {
        var files = new Files();
        files.Entries["/home"] = Files.Dir(Octal("755"));
        files.Entries["/home/ops"] = Files.Dir(Octal("755"), owner: 1000, group: 1000);
        files.Entries["/home/ops/check.sh"] = Files.File(Octal("755"), owner: 1000, group: 1000);
        files.Entries["/etc/vigil/linked.sh"] = new(FileKind.SymbolicLink, 0, 0, Octal("777"));
        files.Links["/etc/vigil/linked.sh"] = "/home/ops/check.sh";

        Assert.Contains("/home/ops is owned by uid 1000", Assert.Single(Check(files, "/etc/vigil/linked.sh")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnsafeScript_RunAsAnotherUser_OrByAnAgentThatIsNotRoot_IsNotHeldToIt()
    {
        var files = new Files();
        files.Entries["/etc/vigil/check.sh"] = Files.File(Octal("777"));

        Assert.Empty(Check(files, "/etc/vigil/check.sh", user: "nobody"));
        Assert.Single(ScriptSecurity.Check([new NodeScript("/etc/vigil/check.sh", "nobody", "root", Origin, "spec.script")], ScriptRunAs.Agent, true, files)); // root's group is root enough
        Assert.Empty(Check(files, "/etc/vigil/check.sh", agentIsRoot: false, runAs: ScriptRunAs.Agent));
        Assert.Single(Check(files, "/etc/vigil/check.sh", agentIsRoot: true, runAs: ScriptRunAs.Agent));
    }

    [Fact]
    public void AMissingProgram_IsAWarning()
    {
        var finding = Assert.Single(Check(new Files(), "/opt/none/check.sh"));
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(ScriptSecurity.MissingRule, finding.Rule);
    }

    [Theory]
    [InlineData(null, true, true, "vigil-script")]
    [InlineData(null, true, false, "nobody")]
    [InlineData(null, false, true, null)]
    [InlineData("root", true, true, "root")]
    [InlineData("ops", false, false, "ops")]
    public void ScriptsNamingNoUser_NeverRunAsRootByDefault(string? configured, bool agentIsRoot, bool accountExists, string? expected)
    {
        var runAs = ScriptRunAs.For(configured is null ? null : new ScriptsSpec { User = configured }, agentIsRoot, name => accountExists && name == ScriptRunAs.DefaultAccount);

        Assert.Equal(expected, runAs.User);
        Assert.Equal(expected, runAs.Fill(new VrrpScriptSpec { Script = "/bin/true" }).User);
        Assert.Equal("ops", runAs.Fill(new VrrpScriptSpec { Script = "/bin/true", User = "ops" }).User);
    }
}
