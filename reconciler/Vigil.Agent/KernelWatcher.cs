using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;
using Vigil.Netlink.Wire;

namespace Vigil.Agent;

/// <summary>
/// Listens on its own subscribed socket for link changes (reported as the full link list, which the tracker wants)
/// and address changes (reported one by one, whoever made them: the agent tells its own from others'). A burst the
/// socket's buffer cannot hold (the kernel says ENOBUFS: notifications were dropped) is not a crash: the links are
/// read again and <c>missed</c> lets the owner compare addresses with what it wants (its drift check), as keepalived
/// resyncs after an overflow. Nothing that goes wrong here stops the thread.
/// </summary>
public sealed class KernelWatcher : IDisposable
{
    private const uint Groups = LinkMessages.LinkGroup | AddressMessages.Ipv4AddressGroup | AddressMessages.Ipv6AddressGroup;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(5);

    private readonly NetlinkSocket _socket;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public KernelWatcher(Func<IReadOnlyList<NetworkLink>> links, Action<IReadOnlyList<NetworkLink>> linksChanged, Action<AddressEvent> addressChanged,
        Action missed, Serilog.ILogger log, int receiveBuffer = NetlinkSocket.NotificationBuffer)
    {
        _socket = NetlinkSocket.OpenSubscribed(NetlinkSocket.Route, Groups, receiveBuffer: receiveBuffer);
        _thread = new Thread(() =>
        {
            var warnings = new Vigil.Vrrp.Engine.RepeatedWarnings(TimeProvider.System, WarnEvery);
            while (!_stopping)
            {
                try
                {
                    var notifications = _socket.ReceiveNotifications<Notification>(Poll, TryParse);
                    foreach (var address in notifications.Select(n => n.Address).OfType<AddressEvent>())
                    {
                        addressChanged(address);
                    }
                    if (notifications.Any(n => n.Link is not null || n.LinkGone))
                    {
                        // A notification carries one link; the tracker wants them all, so ask for the current list.
                        linksChanged(links());
                    }
                }
                catch (NetlinkException e) when (e.Errno == NetlinkSocket.Overflowed)
                {
                    if (warnings.ShouldLog("overflow", out var suppressed))
                    {
                        log.Warning("kernel notifications lost ({Overflows} overflow(s) of the netlink buffer): links and addresses read again", suppressed + 1);
                    }
                    Resync(links, linksChanged, missed, log);
                }
                catch (Exception e) when (e is NetlinkException or InvalidOperationException or IOException)
                {
                    log.Error("kernel watcher: {Error}; reading links and addresses again", e.Message);
                    Resync(links, linksChanged, missed, log);
                    Thread.Sleep(Poll); // not a hot loop if the socket keeps failing
                }
            }
        }) { IsBackground = true, Name = "kernel watcher" };
        _thread.Start();
    }

    private static void Resync(Func<IReadOnlyList<NetworkLink>> links, Action<IReadOnlyList<NetworkLink>> linksChanged, Action missed, Serilog.ILogger log)
    {
        try
        {
            linksChanged(links());
            missed();
        }
        catch (Exception e) when (e is NetlinkException or InvalidOperationException or IOException)
        {
            log.Error("kernel watcher: resync failed: {Error}; retried at the next notification", e.Message);
        }
    }

    private sealed record Notification(NetworkLink? Link, AddressEvent? Address, bool LinkGone = false);

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
        else if (message.Header.Type == LinkMessages.DelLink)
        {
            // A deleted interface: its instances go to Fault, and come back on the new one when it returns.
            notification = new Notification(null, null, LinkGone: true);
        }
        return notification is not null;
    }

    public void Dispose()
    {
        _stopping = true;
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        _socket.Dispose();
    }
}
