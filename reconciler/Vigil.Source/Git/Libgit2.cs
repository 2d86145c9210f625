using System.Runtime.InteropServices;
using System.Text;
using LibGit2Sharp;

namespace Vigil.Source.Git;

/// <summary>
/// Calls into the libgit2 library LibGit2Sharp loaded, made through function pointers: settings LibGit2Sharp does
/// not expose, and the calls whose LibGit2Sharp bindings lose their result under NativeAOT. Those bindings pass
/// libgit2's result buffer (git_buf) as a class, which the NativeAOT marshaller copies in only: nothing libgit2
/// wrote comes back, so every commit looked unsigned, no repository was found and no global git config was read.
/// Here the buffer is a struct on the stack, the same with or without AOT.
/// </summary>
internal static unsafe class Libgit2
{
    private const int NotFound = -3; // GIT_ENOTFOUND

    private static readonly Lazy<IntPtr> Library = new(Load);

    [StructLayout(LayoutKind.Sequential)]
    private struct GitBuffer
    {
        public byte* Pointer;
        public nuint Reserved;
        public nuint Size;

        public readonly ReadOnlySpan<byte> Bytes => new(Pointer, checked((int)Size));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct GitError
    {
        public byte* Message;
        public int Class;
    }

    /// <summary>The address of one exported libgit2 function.</summary>
    public static IntPtr Export(string name) => NativeLibrary.GetExport(Library.Value, name);

    /// <summary>The git directory of the repository <paramref name="path"/> is in (git's own search upwards), or null.</summary>
    public static string? Discover(string path)
    {
        var discover = (delegate* unmanaged<GitBuffer*, byte*, int, byte*, int>)Export("git_repository_discover");
        GitBuffer found = default;
        try
        {
            fixed (byte* start = Text(path))
            {
                var result = discover(&found, start, 0, null);
                return result == NotFound ? null : Encoding.UTF8.GetString(Checked(result, $"look for a repository at {path}", found).Bytes);
            }
        }
        finally
        {
            Dispose(&found);
        }
    }

    /// <summary>
    /// The file libgit2 would read for a configuration level ("global", "xdg", "system"), or null when there is none.
    /// </summary>
    public static string? ConfigFile(string level)
    {
        var find = (delegate* unmanaged<GitBuffer*, int>)Export($"git_config_find_{level}");
        GitBuffer found = default;
        try
        {
            var result = find(&found);
            return result == NotFound ? null : Encoding.UTF8.GetString(Checked(result, $"find the {level} git configuration", found).Bytes);
        }
        finally
        {
            Dispose(&found);
        }
    }

    /// <summary>A commit's gpgsig header (null when it has none) and the exact bytes it signs.</summary>
    public static (string? Signature, byte[] SignedData) CommitSignature(string gitDirectory, ObjectId commit)
    {
        var open = (delegate* unmanaged<IntPtr*, byte*, int>)Export("git_repository_open");
        var free = (delegate* unmanaged<IntPtr, void>)Export("git_repository_free");
        var extract = (delegate* unmanaged<GitBuffer*, GitBuffer*, IntPtr, byte*, byte*, int>)Export("git_commit_extract_signature");
        IntPtr repository;
        fixed (byte* path = Text(gitDirectory))
        {
            Checked(open(&repository, path), $"open {gitDirectory}", 0);
        }
        GitBuffer signature = default, signed = default;
        try
        {
            int result;
            fixed (byte* id = commit.RawId) // git_oid: the 20 bytes of a SHA-1 object id
            {
                result = extract(&signature, &signed, repository, id, null);
            }
            if (result == NotFound)
            {
                return (null, []);
            }
            Checked(result, $"read the signature of commit {commit.Sha}", 0);
            return (Encoding.ASCII.GetString(signature.Bytes), signed.Bytes.ToArray());
        }
        finally
        {
            Dispose(&signature);
            Dispose(&signed);
            free(repository);
        }
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "LibGit2Sharp is rooted whole in the NativeAOT build")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "LibGit2Sharp is rooted whole in the NativeAOT build")]
    private static IntPtr Load()
    {
        _ = GlobalSettings.Version; // loads the native library
        // The file name carries libgit2's build hash; LibGit2Sharp keeps it in an internal constant.
        var name = (string?)typeof(Repository).Assembly.GetType("LibGit2Sharp.Core.NativeDllName")?.GetField("Name")?.GetValue(null)
            ?? throw new InvalidOperationException("LibGit2Sharp's native library name was not found");
        var library = NativeLibrary.Load(name, typeof(Repository).Assembly, null);
        // Under NativeAOT LibGit2Sharp has not always initialised libgit2 by the time Vigil calls it first
        // ("library has not been initialized"); the count is libgit2's own, so a second init is harmless.
        ((delegate* unmanaged<int>)NativeLibrary.GetExport(library, "git_libgit2_init"))();
        return library;
    }

    private static byte[] Text(string value) => Encoding.UTF8.GetBytes(value + "\0");

    private static void Dispose(GitBuffer* buffer) => ((delegate* unmanaged<GitBuffer*, void>)Export("git_buf_dispose"))(buffer);

    private static T Checked<T>(int result, string what, T value)
    {
        if (result >= 0)
        {
            return value;
        }
        var last = ((delegate* unmanaged<GitError*>)Export("git_error_last"))();
        var message = last is not null && last->Message is not null ? Marshal.PtrToStringUTF8((IntPtr)last->Message) : null;
        throw new LibGit2SharpException($"libgit2 could not {what} ({result}){(message is null ? "" : ": " + message)}");
    }
}
