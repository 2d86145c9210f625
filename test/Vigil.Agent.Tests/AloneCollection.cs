namespace Vigil.Agent.Tests;

/// <summary>
/// Lab tests that bound times tightly (a restart within Master_Down_Interval, keepalived's preempt schedule to a few
/// ms) or load the machine (the flood's sender takes a core, CPU hogs): run alone, one at a time. On two cores, a
/// flood beside a restart made the restarted agent miss the backup's Master_Down_Interval in CI.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
