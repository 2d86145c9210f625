using Vigil.Lab;

namespace Vigil.Agent.Tests;

/// <summary>
/// Script security with a real agent running as root: hooks that name no user run as the node's script user, never
/// root; a hook that runs as root from a folder anyone can write to is refused with the revision, at its file and
/// line, and nothing is applied.
/// </summary>
public sealed class ScriptSecurityLabTests : IDisposable
{
    // Under /tmp (root's, sticky), not the lab's folder, which only root may enter.
    private readonly string _shared = Directory.CreateTempSubdirectory("vigil-scripts-").FullName;

    public void Dispose() => Directory.Delete(_shared, recursive: true);

    [Fact]
    public void AHookNamingNoUser_RunsAsTheScriptUser_NotRoot()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var folder = lab.WriteConfig("default-user", lab.Scenario);
        RemoveScriptUser(folder);
        Mode(_shared, "1777"); // anyone may write here, as in /tmp
        AddHook(folder, $"/bin/sh -c \"id -un > {_shared}/who\"");

        lab.StartVigil("ka1", folder);

        var who = Path.Combine(_shared, "who");
        Assert.True(FailoverLab.WaitUntil(() => File.Exists(who) && File.ReadAllText(who).Length > 0, TimeSpan.FromSeconds(15)), lab.Explain());
        Assert.Equal(ScriptFiles.AccountExists("vigil-script") ? "vigil-script" : "nobody", File.ReadAllText(who).Trim());
    }

    [Fact]
    public void ARootHook_InAFolderAnyoneCanWrite_IsRefused_WithItsFileAndLine_AndNothingIsApplied()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var lab = new FailoverLab(new Scenario());
        var hook = Path.Combine(_shared, "hook.sh");
        File.WriteAllText(hook, "#!/bin/sh\nexit 0\n");
        Mode(hook, "755");
        Mode(_shared, "777"); // no sticky bit: anyone may replace hook.sh
        AddHook(lab.ConfigFolder, hook); // the lab's cluster runs scripts as root

        lab.StartVigil("ka1");

        string? Outcome() => (string?)lab.StatusDocument("ka1")?["source"]?["lastOutcome"];
        Assert.True(FailoverLab.WaitUntil(() => Outcome() == "refused", TimeSpan.FromSeconds(15)), lab.Explain());
        var error = (string?)lab.StatusDocument("ka1")!["source"]!["lastError"];
        Assert.Matches($@"vi_1\.yaml:\d+:\d+: error: spec\.notify\.onMaster: '{hook}' runs as root but {_shared} is writable by everyone \(mode 0777\).*\[script-insecure\]", error);
        Assert.Contains("[script-insecure]", lab.Output("ka1"), StringComparison.Ordinal);
        Assert.False(lab.Lab.Holds(lab.Ka1, lab.Scenario.Vip));
        Assert.Empty(lab.StatusDocument("ka1")!["instances"]!.AsArray());
    }

    private static void Mode(string path, string octal)
    {
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
        }
    }

    private static void AddHook(string folder, string command)
    {
        var instance = Path.Combine(folder, "vi_1.yaml");
        File.WriteAllText(instance, File.ReadAllText(instance).TrimEnd() + $"\n  notify:\n    onMaster: '{command}'\n");
    }

    private static void RemoveScriptUser(string folder)
    {
        var cluster = Path.Combine(folder, "cluster.yaml");
        var lines = File.ReadAllLines(cluster).ToList();
        var at = lines.FindIndex(l => l.Trim() == "scripts:");
        lines.RemoveRange(at - 1, 3); // its comment, scripts: and user: root
        File.WriteAllLines(cluster, lines);
    }
}
