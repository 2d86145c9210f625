using Vigil.Core.Desired;
using Vigil.Core.Observed;

namespace Vigil.Core.Planning;

/// <summary>What the health checks say of one real server: up or down, and a weight a check may set (misc dynamic).</summary>
public readonly record struct RealServerHealth(bool Up, int? Weight = null)
{
    public static readonly RealServerHealth Healthy = new(true);
    public static readonly RealServerHealth Failed = new(false);
}

public delegate RealServerHealth RealServerHealthLookup(VirtualServerSpec server, RealServerSpec real);

/// <summary>
/// The IPVS table a node should have, from its virtual servers and what the health checks say, with keepalived's
/// rules: a failed real server leaves the pool, or stays with weight 0 under inhibitOnFailure; when the healthy
/// weight falls below quorum (less hysteresis) the sorry server replaces the pool until it is back above quorum
/// (plus hysteresis). Which side of the hysteresis band a service is on is read from the observed table: the sorry
/// server is in the kernel exactly while quorum is lost, so no other state is kept.
/// </summary>
public static class DesiredIpvsTable
{
    /// <summary>keepalived gives the sorry server weight 1.</summary>
    public const int SorryServerWeight = 1;

    public static IpvsTable Build(IEnumerable<VirtualServerSpec> servers, IpvsTable observed, RealServerHealthLookup? health = null)
    {
        health ??= static (_, _) => RealServerHealth.Healthy;
        return new IpvsTable(servers.SelectMany(s => EndpointsOf(s).Select(e => Service(s, e, observed, health))));
    }

    /// <summary>One kernel service of a virtual server: its key, and the port its DR/TUN servers keep (0 for a fwmark).</summary>
    public sealed record ServiceEndpoint(IpvsServiceKey Key, int? Port);

    /// <summary>The kernel services a virtual server stands for: one, or one per address and mark of its group.</summary>
    public static IReadOnlyList<ServiceEndpoint> EndpointsOf(VirtualServerSpec spec)
    {
        if (spec.Group is not { } group)
        {
            return [new(spec.Fwmark is { } mark
                ? IpvsServiceKey.ForFwmark(spec.EffectiveFamily, mark)
                : IpvsServiceKey.ForAddress(spec.Protocol, spec.Address!, (ushort)spec.Port!.Value), spec.Port)];
        }
        var list = new List<ServiceEndpoint>();
        foreach (var member in group.Members)
        {
            if (member.Fwmark is { } mark)
            {
                list.Add(new(IpvsServiceKey.ForFwmark(member.Family ?? spec.EffectiveFamily, mark), null));
                continue;
            }
            // Validation has refused address members without a port.
            list.AddRange(member.Addresses().Select(a => new ServiceEndpoint(IpvsServiceKey.ForAddress(spec.Protocol, a, (ushort)member.Port!.Value), member.Port)));
        }
        return list;
    }

    public static IpvsServiceSettings SettingsOf(VirtualServerSpec spec)
    {
        var flags = IpvsServiceFlags.None;
        if (spec.Persistence is not null)
        {
            flags |= IpvsServiceFlags.Persistent;
        }
        if (spec.OnePacket)
        {
            flags |= IpvsServiceFlags.OnePacket;
        }
        foreach (var flag in spec.SchedulerFlags)
        {
            flags |= flag == SchedulerFlag.Fallback ? IpvsServiceFlags.Scheduler1 : IpvsServiceFlags.Scheduler2;
        }
        // Validation has refused a malformed netmask before a plan is made.
        return new IpvsServiceSettings(
            spec.Scheduler.ToString().ToLowerInvariant(),
            flags,
            spec.Persistence is { } persistence ? (uint)persistence.Timeout.TotalSeconds : 0,
            (spec.Persistence ?? new PersistenceSpec()).PrefixLength(spec.EffectiveFamily)!.Value);
    }

    /// <summary>
    /// A real (or sorry) server's destination in one of the services: as keepalived, a group's DR and TUN servers keep
    /// the member's port (none for a fwmark) and NAT servers get their own.
    /// </summary>
    private static IpvsDestinationKey KeyOf(VirtualServerSpec spec, ServiceEndpoint service, System.Net.IPAddress address, int? port) =>
        spec.Group is null ? new(address, (ushort)(port ?? spec.Port ?? 0))
        : spec.Forwarding == IpvsForwarding.Nat ? new(address, (ushort)(port ?? service.Port ?? spec.DefaultPort ?? 0))
        : new(address, (ushort)(service.Port ?? 0));

    private static IpvsService Service(VirtualServerSpec spec, ServiceEndpoint service, IpvsTable observed, RealServerHealthLookup health)
    {
        var key = service.Key;
        var destinations = new List<IpvsDestination>();
        var alive = new List<(RealServerSpec Real, IpvsDestination Destination)>();
        var healthyWeight = 0L;
        foreach (var real in spec.RealServers)
        {
            var state = health(spec, real);
            var settings = new IpvsDestinationSettings(spec.Forwarding, WeightOf(real, state), (uint)real.UpperThreshold, (uint)real.LowerThreshold);
            if (state.Up || real.InhibitOnFailure)
            {
                var destination = new IpvsDestination(KeyOf(spec, service, real.Address, real.Port), settings);
                destinations.Add(destination);
                if (state.Up)
                {
                    alive.Add((real, destination));
                    healthyWeight += settings.Weight;
                }
            }
        }
        if (spec.SorryServer is { } sorry && !HasQuorum(spec, service, healthyWeight, KeyOf(spec, service, sorry.Address, sorry.Port), observed.Find(key)))
        {
            // keepalived adds the sorry server and takes the remaining healthy servers out (weight 0 when inhibited).
            foreach (var (real, destination) in alive)
            {
                var index = destinations.IndexOf(destination);
                if (real.InhibitOnFailure)
                {
                    destinations[index] = destination with { Settings = destination.Settings with { Weight = 0 } };
                }
                else
                {
                    destinations.RemoveAt(index);
                }
            }
            destinations.Add(new IpvsDestination(KeyOf(spec, service, sorry.Address, sorry.Port), new IpvsDestinationSettings(spec.Forwarding, SorryServerWeight)));
        }
        return new IpvsService(key, SettingsOf(spec)) { Destinations = destinations };
    }

    private static bool HasQuorum(VirtualServerSpec spec, ServiceEndpoint service, long healthyWeight, IpvsDestinationKey sorry, IpvsService? observed)
    {
        var wasUp = observed is null
            || !observed.Destinations.Any(d => d.Key == sorry)
            || spec.RealServers.Any(r => KeyOf(spec, service, r.Address, r.Port) == sorry);
        return HasQuorum(spec, healthyWeight, wasUp);
    }

    /// <summary>
    /// keepalived's quorum with hysteresis: held while the healthy weight stays at or above quorum - hysteresis (and
    /// above 0); regained at quorum + hysteresis.
    /// </summary>
    public static bool HasQuorum(VirtualServerSpec spec, long healthyWeight, bool wasUp) =>
        healthyWeight > 0 && healthyWeight >= QuorumThreshold(spec, wasUp);

    /// <summary>The healthy weight at which quorum is lost (<paramref name="wasUp"/>) or regained.</summary>
    public static long QuorumThreshold(VirtualServerSpec spec, bool wasUp) => wasUp ? spec.Quorum - spec.Hysteresis : spec.Quorum + spec.Hysteresis;

    /// <summary>The total weight of the real servers the checks find up (a dynamic weight counts as set).</summary>
    public static long HealthyWeight(VirtualServerSpec spec, RealServerHealthLookup health) =>
        spec.RealServers.Sum(r => (long)WeightOf(r, health(spec, r)));

    /// <summary>A real server's weight in the pool: a check's dynamic weight, else its own; 0 while down.</summary>
    private static int WeightOf(RealServerSpec real, RealServerHealth state) => state.Up ? state.Weight ?? real.Weight : 0;
}
