using Vigil.Core.Desired;
using Vigil.Core.Planning;

namespace Vigil.Health;

/// <summary>A virtual server gained (<paramref name="Up"/>) or lost quorum: its healthy weight against the threshold crossed.</summary>
public sealed record QuorumChange(string VirtualServer, VirtualServerSpec Spec, bool Up, long HealthyWeight, long Threshold)
{
    public string Reason => Up
        ? $"healthy weight {HealthyWeight} >= {Threshold} (quorum {Spec.Quorum} + hysteresis {Spec.Hysteresis})"
        : $"healthy weight {HealthyWeight} < {Threshold} (quorum {Spec.Quorum} - hysteresis {Spec.Hysteresis})";
}

/// <summary>
/// Each virtual server's quorum as keepalived keeps it, for its quorum_up / quorum_down notifications: every service
/// starts with quorum (as keepalived's), and <see cref="Update"/> reports the crossings since the last call. The
/// sorry server itself is the IPVS planner's business (<see cref="DesiredIpvsTable"/>).
/// </summary>
public sealed class QuorumTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _up = new(StringComparer.Ordinal);

    public IReadOnlyList<QuorumChange> Update(IEnumerable<NodeVirtualServer> servers, RealServerHealthLookup health)
    {
        lock (_gate)
        {
            var changes = new List<QuorumChange>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var server in servers)
            {
                var key = server.Spec.Endpoint;
                seen.Add(key);
                var wasUp = _up.GetValueOrDefault(key, true);
                var weight = DesiredIpvsTable.HealthyWeight(server.Spec, health);
                var up = DesiredIpvsTable.HasQuorum(server.Spec, weight, wasUp);
                _up[key] = up;
                if (up != wasUp)
                {
                    changes.Add(new QuorumChange(server.Name, server.Spec, up, weight, DesiredIpvsTable.QuorumThreshold(server.Spec, wasUp)));
                }
            }
            foreach (var gone in _up.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _up.Remove(gone);
            }
            return changes;
        }
    }

    /// <summary>Whether the service holds quorum now (true until a change said otherwise).</summary>
    public bool IsUp(VirtualServerSpec spec)
    {
        lock (_gate)
        {
            return _up.GetValueOrDefault(spec.Endpoint, true);
        }
    }
}
