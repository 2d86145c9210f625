using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;

namespace Vigil.Core.Tests.Planning;

/// <summary>
/// Random IPVS tables drawn from small pools of endpoints, so two draws share services and destinations and the
/// planner meets adds, edits and deletes together. Seeded: a failure names its seed and replays.
/// </summary>
internal sealed class RandomIpvsTables(int seed)
{
    private static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];

    private readonly Random _random = new(seed);

    public IpvsTable Next(int maxServices = 8, int maxDestinations = 6)
    {
        var keys = Enumerable.Range(0, 12).Select(ServiceKey).OrderBy(_ => _random.Next()).Take(_random.Next(maxServices + 1));
        return new IpvsTable(keys.Select(key => new IpvsService(key, Settings(key))
        {
            Destinations = [.. Enumerable.Range(0, 8).Select(i => DestinationKey(key, i)).OrderBy(_ => _random.Next())
                .Take(_random.Next(maxDestinations + 1)).Select(d => new IpvsDestination(d, DestinationSettings()))],
        }));
    }

    private static IpvsServiceKey ServiceKey(int i) => i switch
    {
        < 4 => IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.1"), (ushort)(80 + i)),
        < 6 => IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("198.51.100.1"), (ushort)(50 + i)),
        6 => IpvsServiceKey.ForAddress(IpvsProtocol.Sctp, IPAddress.Parse("198.51.100.2"), 9),
        < 9 => IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("2001:db8::1"), (ushort)(440 + i)),
        9 => IpvsServiceKey.ForFwmark(IpFamily.IPv4, 1),
        10 => IpvsServiceKey.ForFwmark(IpFamily.IPv4, 2),
        _ => IpvsServiceKey.ForFwmark(IpFamily.IPv6, 3),
    };

    private static IpvsDestinationKey DestinationKey(IpvsServiceKey service, int i) => service.Family == IpFamily.IPv6
        ? new IpvsDestinationKey(IPAddress.Parse($"2001:db8::{0x10 + i:x}"), (ushort)(service.Port == 0 ? 0 : 8000 + i % 2))
        : new IpvsDestinationKey(IPAddress.Parse($"198.51.100.{10 + i}"), (ushort)(service.Port == 0 ? 0 : 8000 + i % 2));

    private IpvsServiceSettings Settings(IpvsServiceKey key)
    {
        var scheduler = Schedulers[_random.Next(Schedulers.Length)];
        var flags = IpvsServiceFlags.None;
        if (scheduler is "sh" or "mh" && _random.Next(2) == 0)
        {
            flags |= _random.Next(2) == 0 ? IpvsServiceFlags.Scheduler1 : IpvsServiceFlags.Scheduler1 | IpvsServiceFlags.Scheduler2;
        }
        if (key.Protocol == IpvsProtocol.Udp && key.Fwmark == 0 && _random.Next(3) == 0)
        {
            flags |= IpvsServiceFlags.OnePacket;
        }
        var full = key.Family == IpFamily.IPv6 ? 128 : 32;
        if (_random.Next(3) == 0)
        {
            return new IpvsServiceSettings(scheduler, flags | IpvsServiceFlags.Persistent, (uint)_random.Next(1, 900), full - _random.Next(0, 9));
        }
        return new IpvsServiceSettings(scheduler, flags, 0, full);
    }

    // Any method on any destination, so that a change of method is met too (the kernel edits it in place).
    private IpvsDestinationSettings DestinationSettings()
    {
        var upper = (uint)(_random.Next(3) == 0 ? _random.Next(10, 1000) : 0);
        var forwarding = (IpvsForwarding)_random.Next(3);
        return new IpvsDestinationSettings(forwarding, _random.Next(0, 5), upper, upper == 0 ? 0 : (uint)_random.Next(0, 10));
    }

    /// <summary>True when both tables hold the same services with the same settings and destinations (order aside).</summary>
    public static bool SameTable(IpvsTable left, IpvsTable right, out string difference)
    {
        difference = "";
        if (left.Services.Count != right.Services.Count)
        {
            difference = $"{left.Services.Count} services vs {right.Services.Count}";
            return false;
        }
        foreach (var service in left.Services)
        {
            if (right.Find(service.Key) is not { } other || other.Settings != service.Settings)
            {
                difference = $"service {service.Key}: {service.Settings} vs {right.Find(service.Key)?.Settings}";
                return false;
            }
            var mine = service.Destinations.Select(d => (d.Key, d.Settings)).OrderBy(d => d.Key.ToString()).ToList();
            var theirs = other.Destinations.Select(d => (d.Key, d.Settings)).OrderBy(d => d.Key.ToString()).ToList();
            if (!mine.SequenceEqual(theirs))
            {
                difference = $"destinations of {service.Key}: [{string.Join(", ", mine)}] vs [{string.Join(", ", theirs)}]";
                return false;
            }
        }
        return true;
    }
}
