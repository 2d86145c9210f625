using Vigil.Core.Desired;
using Vigil.Core.Observed;

namespace Vigil.Core.Planning;

/// <summary>
/// Desired IPVS table + observed IPVS table -> the fewest kernel requests that turn one into the other. An endpoint
/// kept is edited in place, never deleted and re-added: recreating a service or destination drops its connections.
/// Order is make-before-break: new services and destinations first, then edits, then removals.
/// </summary>
public static class IpvsPlanner
{
    /// <summary>
    /// The plan that brings <paramref name="observed"/> to what the virtual servers ask for, given the health checks'
    /// verdicts. The desired table is built against the same observation, which tells which side of the quorum band
    /// each service is on. Only services in <paramref name="owned"/> are removed (null: every one; a test's namespace).
    /// </summary>
    public static IpvsPlan Plan(IEnumerable<VirtualServerSpec> servers, IpvsTable observed, RealServerHealthLookup? health = null, IpvsOwnership? owned = null) =>
        Plan(DesiredIpvsTable.Build(servers, observed, health), observed, owned);

    public static IpvsPlan Plan(IpvsTable desired, IpvsTable observed, IpvsOwnership? owned = null)
    {
        owned ??= IpvsOwnership.Everything;
        var created = new List<IpvsChange>();
        var serviceEdits = new List<IpvsChange>();
        var destinationAdds = new List<IpvsChange>();
        var destinationEdits = new List<IpvsChange>();
        var destinationDeletes = new List<IpvsChange>();
        var serviceDeletes = new List<IpvsChange>();

        foreach (var wanted in desired.Services)
        {
            if (observed.Find(wanted.Key) is not { } present)
            {
                created.Add(new AddService(wanted.Key, wanted.Settings));
                created.AddRange(wanted.Destinations.Select(d => new AddDestination(wanted.Key, d.Key, d.Settings)));
                continue;
            }
            if (wanted.Settings != present.Settings)
            {
                serviceEdits.Add(new EditService(wanted.Key, present.Settings, wanted.Settings));
            }
            var presentDestinations = present.Destinations.ToDictionary(d => d.Key);
            foreach (var destination in wanted.Destinations)
            {
                if (!presentDestinations.Remove(destination.Key, out var current))
                {
                    destinationAdds.Add(new AddDestination(wanted.Key, destination.Key, destination.Settings));
                }
                else if (current.Settings != destination.Settings)
                {
                    destinationEdits.Add(new EditDestination(wanted.Key, destination.Key, current.Settings, destination.Settings));
                }
            }
            // Kernel order, not dictionary order, so the plan reads the same every time.
            destinationDeletes.AddRange(present.Destinations
                .Where(d => presentDestinations.ContainsKey(d.Key))
                .Select(d => new DeleteDestination(wanted.Key, d.Key, d.Settings)));
        }
        // A service the configuration does not declare is removed only if Vigil made it: never another tool's.
        serviceDeletes.AddRange(observed.Services
            .Where(s => desired.Find(s.Key) is null && owned.Owns(s.Key))
            .Select(s => new DeleteService(s.Key, s.Settings)));

        return new IpvsPlan([.. created, .. serviceEdits, .. destinationAdds, .. destinationEdits, .. destinationDeletes, .. serviceDeletes]);
    }
}

/// <summary>An ordered list of IPVS changes; empty when the kernel already matches.</summary>
public sealed record IpvsPlan(IReadOnlyList<IpvsChange> Changes)
{
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>
    /// The table the kernel ends with when every change succeeds, by the kernel's rules (an add of something present
    /// or a change to something absent is refused; deleting a service deletes its destinations). For dry runs and tests.
    /// </summary>
    public IpvsTable ApplyTo(IpvsTable table)
    {
        var services = table.Services.ToDictionary(s => s.Key, s => (s.Settings, Destinations: s.Destinations.ToList()));
        var order = table.Services.Select(s => s.Key).ToList();
        foreach (var change in Changes)
        {
            var exists = services.TryGetValue(change.Service, out var service);
            if (change is AddService add)
            {
                if (exists)
                {
                    throw new InvalidOperationException($"{change}: the service exists");
                }
                services[add.Service] = (add.Settings, []);
                order.Add(add.Service);
                continue;
            }
            if (!exists)
            {
                throw new InvalidOperationException($"{change}: no such service");
            }
            var index = change.Destination is { } key ? service.Destinations.FindIndex(d => d.Key == key) : -1;
            switch (change)
            {
                case EditService edit:
                    services[edit.Service] = service with { Settings = edit.After };
                    break;
                case DeleteService:
                    services.Remove(change.Service);
                    order.Remove(change.Service);
                    break;
                case AddDestination destination when index < 0:
                    service.Destinations.Add(new IpvsDestination(destination.Key, destination.Settings));
                    break;
                case EditDestination edit when index >= 0:
                    service.Destinations[index] = service.Destinations[index] with { Settings = edit.After };
                    break;
                case DeleteDestination when index >= 0:
                    service.Destinations.RemoveAt(index);
                    break;
                default:
                    throw new InvalidOperationException($"{change}: the destination {(index < 0 ? "does not exist" : "exists")}");
            }
        }
        return new IpvsTable(order.Select(k => new IpvsService(k, services[k].Settings) { Destinations = services[k].Destinations }));
    }
}
