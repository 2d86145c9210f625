using Vigil.Core.Desired;
using Vigil.Core.Validation;

namespace Vigil.Core.Security;

/// <summary>
/// keepalived's enable_script_security, always on: a command that runs as root (its user or group root, or the
/// agent's own identity when the agent is root) must not be replaceable by anyone else, so its program and every
/// folder above it, along the path as written and along the path with links resolved, must be owned by root and not
/// writable by a group other than root's or by others (a folder with the sticky bit, as /tmp, may be). A program that
/// is not there is reported (a warning: it fails when it runs, and may be installed later).
/// </summary>
public static class ScriptSecurity
{
    public const string InsecureRule = "script-insecure";
    public const string MissingRule = "script-missing";

    public static IReadOnlyList<Diagnostic> Check(IEnumerable<NodeScript> scripts, ScriptRunAs runAs, bool agentIsRoot, IScriptFiles files)
    {
        var bag = new DiagnosticBag();
        foreach (var script in scripts)
        {
            var (user, group) = runAs.Of(script.User, script.Group);
            var program = CommandLine.Split(script.Command) is [var first, ..] ? first : "";
            if (program.Length == 0)
            {
                continue;
            }
            var path = files.Find(program);
            if (path is null)
            {
                bag.Warning(script.Origin, script.Field, MissingRule, $"'{program}' is not on this node (the command fails when it runs)");
                continue;
            }
            var asRoot = (IsRoot(user) ?? agentIsRoot) || IsRoot(group) == true;
            if (!asRoot)
            {
                continue;
            }
            var real = files.RealPath(path) ?? path;
            var unsafeAt = Unsafe(path, files) ?? (real == path ? null : Unsafe(real, files));
            if (unsafeAt is { } reason)
            {
                bag.Error(script.Origin, script.Field, InsecureRule,
                    $"'{program}' runs as root but {reason}: whoever can change it runs code as root; make it and every folder above it root's alone, or run it as another user");
            }
        }
        return bag.Items;
    }

    /// <summary>Whether the account is root: null when there is none (the agent's own identity).</summary>
    private static bool? IsRoot(string? account) => account is null ? null : account is "root" or "0";

    /// <summary>Why one component of <paramref name="path"/> (from "/" down to the program) is unsafe, or null.</summary>
    private static string? Unsafe(string path, IScriptFiles files)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i <= parts.Length; i++)
        {
            var component = "/" + string.Join('/', parts.Take(i));
            var facts = files.Stat(component);
            if (facts is null)
            {
                return $"{component} cannot be read";
            }
            if (facts.Owner != 0)
            {
                return $"{component} is owned by uid {facts.Owner}, not root";
            }
            var exempt = facts.Kind == FileKind.Directory && (facts.Mode & FileFacts.Sticky) != 0;
            if (!exempt && facts.Kind != FileKind.SymbolicLink)
            {
                if ((facts.Mode & FileFacts.OtherWrite) != 0)
                {
                    return $"{component} is writable by everyone (mode {Octal(facts.Mode)})";
                }
                if (facts.Group != 0 && (facts.Mode & FileFacts.GroupWrite) != 0)
                {
                    return $"{component} is writable by group {facts.Group} (mode {Octal(facts.Mode)})";
                }
            }
        }
        return null;
    }

    private static string Octal(uint mode) => Convert.ToString(mode & 0xfff, 8).PadLeft(4, '0');
}
