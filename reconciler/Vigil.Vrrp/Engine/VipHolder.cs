using Serilog;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// Puts one instance's VIPs on the kernel and takes them off. Transitions and reloads only say what should be held
/// (<see cref="Want"/>, cheap, under the state machine's lock); the kernel is changed after the lock is released, by
/// the caller when nobody else is at it, else by the holder's own thread. Either always brings the kernel to the latest
/// word and never replays old steps, so a reload's edit that races a Master→Backup cannot leave a VIP on a backup.
/// Addresses that become held are announced (gratuitous ARP, unsolicited NA) as they are added.
/// </summary>
internal sealed class VipHolder : IDisposable
{
    private readonly object _gate = new();

    // Held by whoever brings the kernel to the latest word (the caller, when nobody else is, or the thread).
    private readonly object _apply = new();
    private readonly IAddressTable _table;
    private readonly IAnnouncer _announcer;
    private readonly string _instance;
    private readonly ILogger _log;
    private readonly RepeatedWarnings _warnings;
    private readonly Thread _thread;
    private Wanted _wanted = new([], false, 0);
    private int _reannounce;
    private long _asked;
    private long _done;
    private bool _closing;

    // What this holder put on the kernel: only its own thread reads or writes it.
    private readonly HashSet<InterfaceAddress> _held = [];

    // The same for other threads, marked before an add and cleared before a delete: the kernel's notification of this
    // holder's own change can reach the watcher after the state moved on (a takeover undone within a millisecond), and
    // must not be taken for someone else's.
    private volatile InterfaceAddress[] _ours = [];

    private sealed record Wanted(IReadOnlyList<InterfaceAddress> Addresses, bool Hold, int AnnounceTimes);

    public VipHolder(string instance, IAddressTable table, IAnnouncer announcer, ILogger log, RepeatedWarnings warnings)
    {
        _instance = instance;
        _table = table;
        _announcer = announcer;
        _log = log;
        _warnings = warnings;
        _thread = new Thread(Run) { IsBackground = true, Name = $"vips {instance}" };
        _thread.Start();
    }

    /// <summary>
    /// The kernel should hold <paramref name="addresses"/> (<paramref name="hold"/>) or none of them; each newly added
    /// one is announced <paramref name="announceTimes"/> rounds.
    /// </summary>
    public void Want(IReadOnlyList<InterfaceAddress> addresses, bool hold, int announceTimes)
    {
        lock (_gate)
        {
            Volatile.Write(ref _wanted, new Wanted(addresses, hold, announceTimes));
            _asked++;
        }
    }

    /// <summary>
    /// Called once the state machine's lock is released: a takeover's GARP must leave as keepalived's does, within a
    /// fraction of a millisecond, so when nobody is changing the kernel the caller applies the latest word itself;
    /// otherwise the thread takes it after what it is doing.
    /// </summary>
    public void ApplyNowOrLater()
    {
        if (Interlocked.Read(ref _done) == Interlocked.Read(ref _asked))
        {
            return; // an advert sent or heard: nothing asked
        }
        if (Monitor.TryEnter(_apply))
        {
            try
            {
                ApplyPending();
            }
            finally
            {
                Monitor.Exit(_apply);
            }
        }
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Whether this holder put <paramref name="address"/> on the kernel (or is putting it there now).</summary>
    public bool Made(InterfaceAddress address) =>
        Array.Exists(_ours, a => a.InterfaceIndex == address.InterfaceIndex && a.Address.Equals(address.Address) && a.PrefixLength == address.PrefixLength);

    /// <summary>Whether the VIPs were last asked to be held: the kernel follows a moment later.</summary>
    public bool WantsHeld => Volatile.Read(ref _wanted).Hold;

    /// <summary>The held VIPs announced again (garp_master_delay's second burst, garp_master_refresh).</summary>
    public void Reannounce(int times)
    {
        lock (_gate)
        {
            _reannounce = Math.Max(_reannounce, times);
            _asked++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until the kernel has what was last asked (a stop removes the VIPs before the process exits).</summary>
    public bool WaitUntilDone(TimeSpan timeout)
    {
        var until = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_done != _asked)
            {
                var left = until - Environment.TickCount64;
                if (left <= 0 || !_thread.IsAlive)
                {
                    return false;
                }
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
            }
            return true;
        }
    }

    private void Run()
    {
        // A takeover's GARP may wait for this thread: as the timer and receive threads, it must not wait for the scheduler.
        Interop.ThreadNice.TryRaise();
        while (true)
        {
            lock (_gate)
            {
                while (_done == _asked && !_closing)
                {
                    Monitor.Wait(_gate);
                }
                if (_done == _asked)
                {
                    return;
                }
            }
            lock (_apply)
            {
                ApplyPending();
            }
        }
    }

    /// <summary>Brings the kernel to the latest word, if not done yet; the caller holds <see cref="_apply"/>.</summary>
    private void ApplyPending()
    {
        Wanted wanted;
        int reannounce;
        long asked;
        lock (_gate)
        {
            if (_done == _asked)
            {
                return;
            }
            (wanted, reannounce, asked) = (_wanted, _reannounce, _asked);
            _reannounce = 0;
        }
        try
        {
            Converge(wanted, reannounce);
        }
#pragma warning disable CA1031 // the holder must outlive any one failure: the next word is tried afresh
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log.Error(e, "{Instance}: VIPs not brought to what the state asks", _instance);
        }
        lock (_gate)
        {
            _done = Math.Max(_done, asked);
            Monitor.PulseAll(_gate);
        }
    }

    private void Converge(Wanted wanted, int reannounce)
    {
        IReadOnlyList<InterfaceAddress> target = wanted.Hold ? wanted.Addresses : [];
        foreach (var gone in _held.Where(h => !target.Contains(h)).ToList())
        {
            _held.Remove(gone);
            _ours = [.. _held];
            Delete(gone);
        }
        var added = target.Where(t => !_held.Contains(t)).ToList();
        foreach (var address in added)
        {
            _held.Add(address);
            _ours = [.. _held];
            Add(address);
        }
        Announce(added, wanted.AnnounceTimes);
        if (reannounce > 0)
        {
            Announce([.. _held.Except(added)], reannounce);
        }
    }

    private void Add(InterfaceAddress address)
    {
        try
        {
            if (!_table.Add(address))
            {
                _log.Warning("{Instance}: {Address}/{PrefixLength} was already on the interface", _instance, address.Address, address.PrefixLength);
            }
        }
        catch (Netlink.NetlinkException e)
        {
            _log.Error("{Instance}: VIP {Address} not added, the kernel refused: {Error}", _instance, address.Address, e.Message);
        }
    }

    private void Delete(InterfaceAddress address)
    {
        try
        {
            _table.Delete(address);
        }
        catch (Netlink.NetlinkException e)
        {
            _log.Error("{Instance}: VIP {Address} not removed, the kernel refused: {Error}", _instance, address.Address, e.Message);
        }
    }

    private void Announce(IReadOnlyList<InterfaceAddress> addresses, int times)
    {
        if (addresses.Count == 0 || times <= 0)
        {
            return;
        }
        try
        {
            _announcer.Announce([.. addresses.Select(a => a.Address)], times);
        }
        catch (Exception e) when (e is SharpPcap.PcapException or InvalidOperationException or ObjectDisposedException)
        {
            if (_warnings.ShouldLog($"announcements: {e.Message}", out var suppressed))
            {
                _log.Warning("{Instance}: announcements not sent: {Error}{Repeated}", _instance, e.Message, RepeatedWarnings.Suffix(suppressed));
            }
        }
    }

    /// <summary>Finishes what was asked, then ends the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
