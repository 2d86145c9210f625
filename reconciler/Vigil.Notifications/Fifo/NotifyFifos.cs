using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Notifications.Fifo;

/// <summary>
/// The Cluster's three notify FIFOs, as keepalived's: notify_fifo gets every line, vrrp_notify_fifo the INSTANCE and
/// GROUP lines, lvs_notify_fifo the VS and RS lines. A FIFO whose spec a revision changes is closed and opened anew;
/// an unchanged one stays open (its reader keeps reading).
/// </summary>
public sealed class NotifyFifos(ILogger log) : IDisposable
{
    private readonly Lock _gate = new();
    private NotifyFifo? _all;
    private NotifyFifo? _vrrp;
    private NotifyFifo? _lvs;

    public void Apply(NotificationSpec? settings)
    {
        // The old ones go first: one that made its path removes it, which must not be after the new one opened it.
        List<NotifyFifo> closed = [];
        lock (_gate)
        {
            _all = Keep(_all, settings?.Fifo, closed);
            _vrrp = Keep(_vrrp, settings?.VrrpFifo, closed);
            _lvs = Keep(_lvs, settings?.LvsFifo, closed);
        }
        foreach (var fifo in closed) fifo.Dispose();
        var all = Open(_all, settings?.Fifo);
        var vrrp = Open(_vrrp, settings?.VrrpFifo);
        var lvs = Open(_lvs, settings?.LvsFifo);
        lock (_gate)
        {
            (_all, _vrrp, _lvs) = (all, vrrp, lvs);
        }
    }

    public void Vrrp(string line) => Write(line, lvs: false);

    public void Lvs(string line) => Write(line, lvs: true);

    /// <summary>Lines dropped because a pipe was full, over the FIFOs open now.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return new[] { _all, _vrrp, _lvs }.Sum(f => f?.Dropped ?? 0);
            }
        }
    }

    public void Dispose() => Apply(null);

    private void Write(string line, bool lvs)
    {
        NotifyFifo? all, own;
        lock (_gate)
        {
            (all, own) = (_all, lvs ? _lvs : _vrrp);
        }
        all?.Write(line);
        own?.Write(line);
    }

    private static NotifyFifo? Keep(NotifyFifo? open, NotifyFifoSpec? wanted, List<NotifyFifo> closed)
    {
        if (open is null || open.Spec == wanted) return open;
        closed.Add(open);
        return null;
    }

    private NotifyFifo? Open(NotifyFifo? kept, NotifyFifoSpec? wanted) => kept ?? (wanted is null ? null : NotifyFifo.Open(wanted, log));
}
