using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Vigil.Core.Security;

namespace Vigil.Agent;

/// <summary>
/// What the script security check needs of the node, and how scripts will run here: whether the agent is root,
/// which accounts exist, and the file system (statx without following links, realpath, PATH).
/// </summary>
public sealed partial class ScriptFiles : IScriptFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    public static readonly ScriptFiles Node = new();

    public static bool AgentIsRoot => Environment.IsPrivilegedProcess;

    public static bool AccountExists(string name) => GetPasswordEntry(name) != IntPtr.Zero;

    public FileFacts? Stat(string path)
    {
        // struct statx: mask u32, blksize u32, attributes u64, nlink u32, uid u32 (20), gid u32 (24), mode u16 (28).
        var buffer = new byte[256];
        if (StatX(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            return null;
        }
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var kind = (mode & 0xF000) switch
        {
            0x4000 => FileKind.Directory,
            0x8000 => FileKind.File,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        return new FileFacts(kind, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24)), mode & 0xFFFu);
    }

    public string? RealPath(string path)
    {
        var resolved = ResolvePath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Marshal.FreeHGlobal(resolved); // malloc'd by realpath: FreeHGlobal is free() on Unix
        }
    }

    public string? Find(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program);
            return File.Exists(full) ? full : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr ResolvePath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntry(string name);
}

/// <summary>How a node runs scripts, for the revision loader: who the agent is, which accounts exist, its files.</summary>
public sealed record ScriptEnvironment(bool AgentIsRoot, IScriptFiles Files, Func<string, bool> AccountExists)
{
    public static ScriptEnvironment Node { get; } = new(ScriptFiles.AgentIsRoot, ScriptFiles.Node, ScriptFiles.AccountExists);
}
