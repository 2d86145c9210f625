using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;
using Vigil.Netlink.Wire;

namespace Vigil.Agent;

/// <summary>
/// Listens on its own subscribed socket for link changes (reported as the full link list, which the tracker wants)
/// and address changes (reported one by one, whoever made them: the agent tells its own from others').
/// </summary>
public sealed class KernelWatcher : IDisposable
{
    private const uint Groups = LinkMessages.LinkGroup | AddressMessages.Ipv4AddressGroup | AddressMessages.Ipv6AddressGroup;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly NetlinkSocket _socket = NetlinkSocket.OpenSubscribed(NetlinkSocket.Route, Groups);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public KernelWatcher(Func<IReadOnlyList<NetworkLink>> links, Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged)
    {
        _thread = new Thread(() =>
        {
            while (!_stopping)
            {
                var notifications = _socket.ReceiveNotifications<Notification>(Poll, TryParse);
                foreach (var address in notifications.Select(n => n.Address).OfType<AddressEvent>())
                {
                    addressChanged(address);
                }
                if (notifications.Any(n => n.Link is not null))
                {
                    // A notification carries one link; the tracker wants them all, so ask for the current list.
                    linksChanged(links());
                }
            }
        }) { IsBackground = true, Name = "kernel watcher" };
        _thread.Start();
    }

    private sealed record Notification(NetworkLink? Link, AddressEvent? Address);

    private static bool TryParse(NetlinkMessage message, out Notification notification)
    {
        notification = null!;
        if (LinkMessages.TryParse(message, out var link))
        {
            notification = new Notification(link, null);
        }
        else if (AddressMessages.TryParseEvent(message, out var address))
        {
            notification = new Notification(null, address);
        }
        return notification is not null;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
