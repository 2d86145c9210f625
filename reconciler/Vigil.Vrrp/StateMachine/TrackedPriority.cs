namespace Vigil.Vrrp.StateMachine;

/// <summary>The current result of one tracked script or interface, with the weight in force for the instance.</summary>
public sealed record TrackResult(string Name, int Weight, bool Healthy)
{
    /// <summary>
    /// A tracked file's number as keepalived's track_file counts it: with weight 0 a non-zero number (zero when
    /// reversed) is a failure; otherwise number × weight (negated when reversed) is added, capped at 253, and -254 or
    /// less is a fault.
    /// </summary>
    public static TrackResult File(string name, long value, int weight, bool reverse)
    {
        if (weight == 0)
        {
            return new TrackResult(name, 0, (value == 0) != reverse);
        }
        var status = Math.Clamp(value * weight * (reverse ? -1 : 1), -254, 253);
        return status switch
        {
            -254 => new TrackResult(name, 0, false),
            0 => new TrackResult(name, 0, true),
            _ => new TrackResult(name, (int)status, status > 0),
        };
    }

    /// <summary>
    /// A tracked process as keepalived counts it: reverse turns the weight's sign and the condition round, so weight 0
    /// reversed fails while the quorum holds, and a positive weight reversed is taken off while it holds.
    /// </summary>
    public static TrackResult Process(string name, bool quorum, int weight, bool reverse) =>
        new(name, reverse ? -weight : weight, quorum != reverse);
}

/// <summary>The priority an instance advertises, or why it is in Fault.</summary>
public sealed record EffectivePriority(int Priority, string? FaultReason)
{
    public bool IsFault => FaultReason is not null;
}

/// <summary>
/// keepalived's tracking rules (keepalived.conf(5), vrrp_script / track_interface): a positive weight is
/// added while the script succeeds or the interface is up, a negative one while it fails or is down, and a
/// failing weight-0 track puts the instance in Fault. The result stays within 1-254; the address owner
/// (255) is not moved.
/// </summary>
public static class TrackedPriority
{
    public static EffectivePriority Compute(int configured, IEnumerable<TrackResult> tracks)
    {
        var priority = configured;
        var faults = new List<string>();
        foreach (var track in tracks)
        {
            if (track.Weight == 0)
            {
                if (!track.Healthy)
                {
                    faults.Add(track.Name);
                }
            }
            else if (track.Weight > 0 == track.Healthy)
            {
                priority += track.Weight;
            }
        }
        if (faults.Count > 0)
        {
            return new EffectivePriority(configured, $"{string.Join(", ", faults)} failed");
        }
        return new EffectivePriority(configured == 255 ? 255 : Math.Clamp(priority, 1, 254), null);
    }
}
