namespace Vigil.Source.Git;

/// <summary>
/// How long libgit2 waits for a remote: to connect, and for each read or write after. libgit2 waits forever by
/// default, so a remote that accepts the connection and never answers held the agent's one worker (no reconcile, no
/// stop on SIGTERM) for as long as it stayed silent. LibGit2Sharp does not expose the settings; they are libgit2's
/// own process-wide options (git_libgit2_opts, GIT_OPT_SET_SERVER_CONNECT_TIMEOUT and GIT_OPT_SET_SERVER_TIMEOUT,
/// libgit2 1.7 and later), set on the library LibGit2Sharp loaded.
/// </summary>
public static unsafe class GitTimeouts
{
    private const int SetServerConnectTimeout = 39;
    private const int GetServerConnectTimeout = 40;
    private const int SetServerTimeout = 41;
    private const int GetServerTimeout = 42;

    private static readonly Lock Gate = new();

    /// <summary>Both timeouts, in milliseconds, as libgit2 now has them (0: none).</summary>
    public static (int Connect, int Server) Current
    {
        get
        {
            var options = Options();
            int connect, server;
            Check(((delegate* unmanaged<int, int*, int>)options)(GetServerConnectTimeout, &connect), "read the connect timeout");
            Check(((delegate* unmanaged<int, int*, int>)options)(GetServerTimeout, &server), "read the server timeout");
            return (connect, server);
        }
    }

    public static void Set(TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        lock (Gate)
        {
            var options = Options();
            Check(((delegate* unmanaged<int, int, int>)options)(SetServerConnectTimeout, milliseconds), "set the connect timeout");
            Check(((delegate* unmanaged<int, int, int>)options)(SetServerTimeout, milliseconds), "set the server timeout");
        }
    }

    private static IntPtr Options() => Libgit2.Export("git_libgit2_opts");

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"libgit2 could not {what} ({result}): this libgit2 may be older than 1.7");
        }
    }
}
