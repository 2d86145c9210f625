using System.Net;
using Vigil.Netlink.Rtnetlink;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.Transport;

namespace Vigil.Tests;

/// <summary>The kernel's address table as a set; each change yields first, so that racing callers interleave.</summary>
internal sealed class RecordingAddressTable : IAddressTable
{
    private readonly HashSet<InterfaceAddress> _held = [];
    private int _deleted;

    /// <summary>How many addresses were removed so far.</summary>
    public int Deleted => Volatile.Read(ref _deleted);

    public bool Add(InterfaceAddress address)
    {
        Thread.Yield();
        lock (_held)
        {
            return _held.Add(address);
        }
    }

    public bool Delete(InterfaceAddress address)
    {
        Thread.Yield();
        lock (_held)
        {
            var removed = _held.Remove(address);
            _deleted += removed ? 1 : 0;
            return removed;
        }
    }

    public HashSet<InterfaceAddress> Held()
    {
        lock (_held)
        {
            return [.. _held];
        }
    }
}

/// <summary>The kernel's routes and rules as two lists; adds answer false for what is there, as the kernel's EEXIST.</summary>
internal sealed class RecordingRoutingTable : IRoutingTable
{
    private readonly Lock _gate = new();
    private readonly List<KernelRoute> _routes = [];
    private readonly List<KernelRule> _rules = [];

    public IReadOnlyList<KernelRoute> Routes()
    {
        lock (_gate)
        {
            return [.. _routes];
        }
    }

    public IReadOnlyList<KernelRule> Rules()
    {
        lock (_gate)
        {
            return [.. _rules];
        }
    }

    public bool Add(KernelRoute route) => Change(_routes, route, add: true);

    public bool Delete(KernelRoute route) => Change(_routes, route, add: false);

    public bool Add(KernelRule rule) => Change(_rules, rule, add: true);

    public bool Delete(KernelRule rule) => Change(_rules, rule, add: false);

    private bool Change<T>(List<T> entries, T entry, bool add)
    {
        lock (_gate)
        {
            if (add == entries.Contains(entry))
            {
                return false;
            }
            if (add)
            {
                entries.Add(entry);
            }
            else
            {
                entries.Remove(entry);
            }
            return true;
        }
    }
}

/// <summary>An instance's sockets and announcer that send nowhere and hear nothing.</summary>
internal sealed class SilentChannel : IVrrpChannel, IAnnouncer
{
    private static readonly TimeSpan Nap = TimeSpan.FromMilliseconds(20);

    public IPAddress SourceAddress => IPAddress.Parse("198.51.100.11");

    /// <summary>The priorities of the adverts sent, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<byte> Sent { get; } = new();

    public void Send(VrrpAdvertisement advertisement, IPAddress destination) => Sent.Enqueue(advertisement.Priority);

    public ReceivedAdvertisement? Receive(TimeSpan timeout)
    {
        Thread.Sleep(timeout < Nap ? timeout : Nap);
        return null;
    }

    /// <summary>The filter the instance last asked for.</summary>
    public LowerPriorityFilter? Filter { get; private set; }

    public void Ignore(LowerPriorityFilter filter) => Filter = filter;

    public void Announce(IReadOnlyList<IPAddress> addresses, int times)
    {
    }

    public void Dispose()
    {
    }
}
