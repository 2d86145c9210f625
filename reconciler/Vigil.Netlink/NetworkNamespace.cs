using System.Runtime.InteropServices;
using Vigil.Netlink.Interop;

namespace Vigil.Netlink;

/// <summary>
/// Creates things inside a named network namespace (/var/run/netns/NAME, as <c>ip netns add</c> makes).
/// A socket belongs to the namespace it was created in, so only a short-lived thread enters the namespace
/// and the rest of the process stays where it was.
/// </summary>
public static class NetworkNamespace
{
    public static T Run<T>(string name, Func<T> create) => RunAt(Path.Combine("/var/run/netns", name), create);

    /// <summary>The initial network namespace, as seen from any other one (init's; needs CAP_SYS_ADMIN to enter).</summary>
    public const string Initial = "/proc/1/ns/net";

    /// <summary>As <see cref="Run{T}"/>, for a namespace named by a file (/proc/PID/ns/net, a bind mount).</summary>
    public static T RunAt<T>(string path, Func<T> create)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(path);
                if (Libc.SetNs(target.DangerousGetHandle(), Libc.CloneNewNet) < 0)
                {
                    throw new NetlinkException(Marshal.GetLastPInvokeError(), $"enter network namespace {path}");
                }
                result = create();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result! : throw failure;
    }
}
