using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>Listens for RTM_NEWLINK on its own subscribed socket and reports the full link list after each change.</summary>
public sealed class LinkWatcher : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly NetlinkSocket _socket = NetlinkSocket.OpenSubscribed(NetlinkSocket.Route, LinkMessages.LinkGroup);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public LinkWatcher(Func<IReadOnlyList<NetworkLink>> links, Action<IReadOnlyList<NetworkLink>> changed)
    {
        _thread = new Thread(() =>
        {
            while (!_stopping)
            {
                if (_socket.ReceiveNotifications<NetworkLink>(Poll, LinkMessages.TryParse).Count > 0)
                {
                    // A notification carries one link; the tracker wants them all, so ask for the current list.
                    changed(links());
                }
            }
        }) { IsBackground = true, Name = "link watcher" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
