using System.Net;
using System.Net.Sockets;
using Serilog;
using Vigil.Vrrp.Interop;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// One garp group's announcements (keepalived's garp_group, or an interface paced alone by vrrp_garp_interval /
/// vrrp_gna_interval): queued by the instances that send them, and sent one at a time from this group's own thread, a
/// gratuitous ARP no sooner than the ARP interval after the group's last, an NA no sooner than the NA interval after its
/// last. The instances' own threads never wait for the pace.
/// </summary>
public sealed class AnnouncementPacer : IDisposable
{
    private readonly Lock _gate = new();
    // Held while a frame is sent, so that an announcer is not disposed under a send (see Forget).
    private readonly Lock _sending = new();
    private readonly Queue<(IAnnouncer Sender, IPAddress Address)> _queue = new();
    private readonly PreciseWait _wake = new();
    private readonly Thread _thread;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _group;
    private PacingSlots _slots;
    private TimeSpan _garp;
    private TimeSpan _gna;
    private volatile bool _closed;

    public AnnouncementPacer(string group, TimeProvider time, ILogger log)
    {
        _group = group;
        _time = time;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = $"garp {group}" };
        _thread.Start();
    }

    /// <summary>The group's intervals, taken from the next frame on (a revision may change them).</summary>
    public void Pace(TimeSpan garp, TimeSpan gna)
    {
        lock (_gate)
        {
            (_garp, _gna) = (garp, gna);
        }
    }

    /// <summary>Queues <paramref name="times"/> rounds of one announcement per address, sent by <paramref name="sender"/>.</summary>
    public void Enqueue(IAnnouncer sender, IReadOnlyList<IPAddress> addresses, int times)
    {
        lock (_gate)
        {
            for (var round = 0; round < times; round++)
            {
                foreach (var address in addresses)
                {
                    _queue.Enqueue((sender, address));
                }
            }
        }
        _wake.Wake();
    }

    /// <summary>Drops what <paramref name="sender"/> still has queued and waits out a send of its in flight: it may be disposed after.</summary>
    public void Forget(IAnnouncer sender)
    {
        lock (_gate)
        {
            var kept = _queue.Where(q => q.Sender != sender).ToList();
            _queue.Clear();
            kept.ForEach(_queue.Enqueue);
        }
        lock (_sending)
        {
        }
    }

    private void Run()
    {
        PreciseWait.TightenTimerSlack();
        while (!_closed)
        {
            var wait = TimeSpan.Zero;
            // A frame is taken off the queue and sent under _sending, so that Forget, once it holds _sending, knows
            // no frame of the announcer it forgets is still on its way.
            lock (_sending)
            {
                (IAnnouncer Sender, IPAddress Address) next;
                lock (_gate)
                {
                    if (!_queue.TryPeek(out next))
                    {
                        wait = Timeout.InfiniteTimeSpan;
                    }
                    else
                    {
                        var ipv6 = next.Address.AddressFamily == AddressFamily.InterNetworkV6;
                        wait = _slots.Wait(ipv6, ipv6 ? _gna : _garp, _time.GetTimestamp(), _time.TimestampFrequency);
                        if (wait <= TimeSpan.Zero)
                        {
                            _queue.Dequeue();
                        }
                    }
                }
                if (wait <= TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan)
                {
                    Send(next.Sender, next.Address);
                    // The interval counts from the end of a send: two frames are never closer than it on the wire.
                    lock (_gate)
                    {
                        _slots = _slots.Sent(next.Address.AddressFamily == AddressFamily.InterNetworkV6, _time.GetTimestamp());
                    }
                    continue;
                }
            }
            _wake.Wait(wait == Timeout.InfiniteTimeSpan ? null : wait.Ticks * 100);
        }
    }

    private void Send(IAnnouncer sender, IPAddress address)
    {
        try
        {
            sender.Announce([address], 1);
        }
        catch (Exception e) when (e is SharpPcap.PcapException or InvalidOperationException or ObjectDisposedException)
        {
            _log.Warning("garp group {Group}: announcement of {Address} not sent: {Error}", _group, address, e.Message);
        }
    }

    public void Dispose()
    {
        _closed = true;
        _wake.Wake();
        _thread.Join();
        _wake.Dispose();
    }
}

/// <summary>
/// When a group last sent each kind of announcement, and how long the next must wait: pure, on the clock's timestamps.
/// </summary>
public readonly record struct PacingSlots(long? LastArp, long? LastNa)
{
    /// <summary>How long an announcement of the kind must still wait; zero or less: it may go now.</summary>
    public TimeSpan Wait(bool ipv6, TimeSpan interval, long now, long frequency)
    {
        if (interval <= TimeSpan.Zero || (ipv6 ? LastNa : LastArp) is not { } last)
        {
            return TimeSpan.Zero;
        }
        return interval - TimeSpan.FromSeconds((now - last) / (double)frequency);
    }

    public PacingSlots Sent(bool ipv6, long now) => ipv6 ? this with { LastNa = now } : this with { LastArp = now };
}

/// <summary>An instance's announcer seen through its interface's pacing: direct while unpaced, queued on its group's pacer when paced.</summary>
public sealed class PacedAnnouncer(IAnnouncer inner, Func<AnnouncementPacer?> pacer) : IAnnouncer
{
    private readonly HashSet<AnnouncementPacer> _used = [];

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
        if (pacer() is not { } paced)
        {
            inner.Announce(addresses, times);
            return;
        }
        lock (_used)
        {
            _used.Add(paced);
        }
        paced.Enqueue(inner, addresses, times);
    }

    public void Dispose()
    {
        lock (_used)
        {
            foreach (var paced in _used)
            {
                paced.Forget(inner);
            }
        }
        inner.Dispose();
    }
}
