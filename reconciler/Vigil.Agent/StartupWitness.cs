using System.Net;
using Serilog;
using Vigil.Vrrp.Transport;

namespace Vigil.Agent;

/// <summary>
/// Listens for VRRP adverts from the moment a restarted agent starts, on the interfaces where its predecessor was
/// master, so that it decides whether to resume as master from what it hears and not from the clock alone: a master
/// advertises every interval, so a whole interval heard in silence on a VRID means that nobody else is master there,
/// however long the agent took to start. Closed once the first revision is applied.
/// </summary>
public sealed class StartupWitness : IDisposable
{
    private static readonly TimeSpan ReceivePoll = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<(IVrrpChannel Channel, string Interface, bool Ipv6, DateTimeOffset Since)> _listeners = [];
    private readonly List<Heard> _heard = [];
    private readonly List<Thread> _threads = [];
    private readonly TimeProvider _time;
    private volatile bool _closed;

    private StartupWitness(TimeProvider time) => _time = time;

    /// <summary>An advert heard: on which VRID and family, from whom, when.</summary>
    public readonly record struct Heard(int VirtualRouterId, bool Ipv6, IPAddress Source, int Priority, DateTimeOffset At);

    /// <summary>
    /// Starts listening where <paramref name="masters"/> spoke (interface and family; joined to the VRRP group); an
    /// interface that is gone, or an older status file that does not say, is left out and logged.
    /// </summary>
    public static StartupWitness Open(IEnumerable<PreviousMaster> masters, Func<string, int?> interfaceIndex, TimeProvider time, ILogger log)
    {
        var witness = new StartupWitness(time);
        foreach (var (name, ipv6) in masters.Where(m => m.Interface.Length > 0).Select(m => (m.Interface, m.Ipv6)).Distinct())
        {
            try
            {
                if (interfaceIndex(name) is not { } index)
                {
                    log.Information("restart: interface {Interface} is gone; cannot listen there before resuming", name);
                    continue;
                }
                // Any TTL: a unicast peer's adverts may come routed, or from keepalived's IPv6 unicast with hop limit 64;
                // the worst a forged one does here is keep this node from resuming as master at once.
                IVrrpChannel channel = ipv6
                    ? new Ipv6VrrpSocket(name, index, IPAddress.IPv6Any, joinMulticast: true, checkTtl: false)
                    : new Ipv4VrrpSocket(name, index, IPAddress.Any, joinMulticast: true, checkTtl: false);
                witness.Listen(channel, name, ipv6);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException or IOException)
            {
                log.Warning("restart: cannot listen on {Interface} before resuming: {Error}", name, e.Message);
            }
        }
        return witness;
    }

    /// <summary>How long this witness has listened on <paramref name="interfaceName"/> for the family; null when it does not.</summary>
    public TimeSpan? ListenedOn(string interfaceName, bool ipv6)
    {
        lock (_gate)
        {
            return _listeners.FirstOrDefault(l => l.Interface == interfaceName && l.Ipv6 == ipv6) is { Channel: not null } listener
                ? _time.GetUtcNow() - listener.Since
                : null;
        }
    }

    /// <summary>The adverts heard on a VRID of a family from a source that is not one of this node's.</summary>
    public IReadOnlyList<Heard> From(int virtualRouterId, bool ipv6, Func<IPAddress, bool> isOwn)
    {
        lock (_gate)
        {
            return [.. _heard.Where(h => h.VirtualRouterId == virtualRouterId && h.Ipv6 == ipv6 && !isOwn(h.Source))];
        }
    }

    private void Listen(IVrrpChannel channel, string interfaceName, bool ipv6)
    {
        lock (_gate)
        {
            _listeners.Add((channel, interfaceName, ipv6, _time.GetUtcNow()));
        }
        var thread = new Thread(() => Receive(channel, ipv6)) { IsBackground = true, Name = $"witness {interfaceName}" };
        _threads.Add(thread);
        thread.Start();
    }

    private void Receive(IVrrpChannel channel, bool ipv6)
    {
        while (!_closed)
        {
            try
            {
                if (channel.Receive(ReceivePoll) is { Advertisement: { } advert } received)
                {
                    lock (_gate)
                    {
                        _heard.Add(new Heard(advert.VirtualRouterId, ipv6, received.Source, advert.Priority, _time.GetUtcNow()));
                    }
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                return; // closed under us, or the interface went: the resume decision then falls back on the clock
            }
        }
    }

    public void Dispose()
    {
        _closed = true;
        foreach (var thread in _threads)
        {
            thread.Join(2 * ReceivePoll);
        }
        lock (_gate)
        {
            foreach (var (channel, _, _, _) in _listeners)
            {
                channel.Dispose();
            }
            _listeners.Clear();
        }
    }
}
