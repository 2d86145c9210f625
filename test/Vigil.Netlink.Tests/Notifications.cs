namespace Vigil.Netlink.Tests;

/// <summary>Waits on a subscribed socket for the kernel's notifications in the namespace tests.</summary>
internal static class Notifications
{
    /// <summary>Reads notifications until one matches, for at most 5 s (a bound, not a timing assertion); null if none did.</summary>
    public static T? WaitFor<T>(NetlinkSocket watch, NetlinkMessageParser<T> parse, Func<T, bool> match)
        where T : class
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (watch.ReceiveNotifications(TimeSpan.FromMilliseconds(200), parse).FirstOrDefault(match) is { } found)
            {
                return found;
            }
        }
        return null;
    }
}
