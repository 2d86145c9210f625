using System.Runtime.InteropServices;

namespace Vigil.Notifications.Fifo;

/// <summary>The libc calls a notify FIFO needs: .NET can neither make a FIFO nor open one without blocking.</summary>
internal static partial class FifoCalls
{
    public const int ReadWrite = 0x2;
    public const int NonBlocking = 0x800;
    public const int NoFollow = 0x20000;
    public const int CloseOnExec = 0x80000;
    public const int Exists = 17;
    public const int WouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ChangeOwner(string path, uint user, uint group);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr PasswordEntry(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GroupEntry(string name);

    /// <summary>A user's uid and primary gid (struct passwd: two pointers, then pw_uid and pw_gid); null when there is no such user.</summary>
    public static (uint User, uint Group)? Account(string name)
    {
        var entry = PasswordEntry(name);
        return entry == IntPtr.Zero ? null
            : ((uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size), (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size + 4));
    }

    /// <summary>A group's gid (struct group: two pointers, then gr_gid); null when there is no such group.</summary>
    public static uint? GroupId(string name)
    {
        var entry = GroupEntry(name);
        return entry == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }
}
