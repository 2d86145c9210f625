namespace Vigil.Core.Security;

public enum FileKind { File, Directory, SymbolicLink, Other }

/// <summary>What lstat says of a path: its kind, owner, group and permission bits (with setuid, setgid, sticky).</summary>
public sealed record FileFacts(FileKind Kind, uint Owner, uint Group, uint Mode)
{
    public const uint Sticky = 0x200; // S_ISVTX
    public const uint GroupWrite = 0x10; // S_IWGRP
    public const uint OtherWrite = 0x2; // S_IWOTH
}

/// <summary>The node's file system as the script security check reads it (the edge: lstat, realpath, PATH).</summary>
public interface IScriptFiles
{
    /// <summary>lstat of <paramref name="path"/> (a symbolic link is not followed), or null when it does not exist.</summary>
    FileFacts? Stat(string path);

    /// <summary>The path with every symbolic link resolved, or null when it cannot be.</summary>
    string? RealPath(string path);

    /// <summary>The program as the script would run it: itself when it has a '/', else its first match on PATH, or null.</summary>
    string? Find(string program);
}
