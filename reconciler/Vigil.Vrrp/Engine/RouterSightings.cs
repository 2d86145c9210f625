using System.Net;

namespace Vigil.Vrrp.Engine;

/// <summary>
/// Another router heard on this instance's VRID: its last priority, how many adverts, how many of them arrived
/// while this router was master (two masters at once), and when it was last heard.
/// </summary>
public sealed record RouterSighting(IPAddress Address, int Priority, long Adverts, long WhileMaster, DateTimeOffset LastSeen);

/// <summary>
/// Every router heard advertising on the VRID, recorded before authentication and interval checks: a foreign or
/// misconfigured speaker matters for the drift report precisely when its adverts are refused.
/// </summary>
public sealed class RouterSightings
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Tally> _routers = [];

    /// <summary>
    /// Sources are unauthenticated (anyone on the segment can send from any address): at most this many are kept, the
    /// one heard longest ago giving way, so a flood of forged sources costs nothing but their own eviction.
    /// </summary>
    public const int Kept = 64;

    public void Heard(IPAddress source, int priority, bool whileMaster, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_routers.TryGetValue(source, out var seen))
            {
                if (_routers.Count >= Kept)
                {
                    _routers.Remove(_routers.MinBy(r => r.Value.LastSeen).Key);
                }
                _routers[source] = seen = new Tally();
            }
            // Counted in place: a router heard every interval costs no allocation.
            seen.Priority = priority;
            seen.Adverts++;
            seen.WhileMaster += whileMaster && priority > 0 ? 1 : 0;
            seen.LastSeen = at;
        }
    }

    public IReadOnlyList<RouterSighting> All()
    {
        lock (_gate)
        {
            return [.. _routers.Select(r => new RouterSighting(r.Key, r.Value.Priority, r.Value.Adverts, r.Value.WhileMaster, r.Value.LastSeen))
                .OrderBy(r => r.Address.ToString(), StringComparer.Ordinal)];
        }
    }

    private sealed class Tally
    {
        public int Priority;
        public long Adverts;
        public long WhileMaster;
        public DateTimeOffset LastSeen;
    }
}
