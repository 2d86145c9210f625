using Vigil.Tests;
using Vigil.Vrrp.StateMachine;

namespace Vigil.Vrrp.Tests.StateMachine;

/// <summary>Records what the machine asked for, with the (manual) time it asked.</summary>
internal sealed class RecordingActions(ManualTimeProvider time) : IVrrpActions
{
    public List<(TimeSpan At, string Action)> Log { get; } = [];

    public void SendAdvertisement(int priority) => Log.Add((time.Elapsed, $"advert {priority}"));

    public void TakeVirtualAddresses() => Log.Add((time.Elapsed, "take VIPs"));

    public void ReleaseVirtualAddresses() => Log.Add((time.Elapsed, "release VIPs"));

    public void HeardLowerPriority() => Log.Add((time.Elapsed, "heard lower priority"));

    public void StateChanged(VrrpState from, VrrpState to, string reason) => Log.Add((time.Elapsed, $"{from} -> {to}: {reason}"));

    public IEnumerable<string> Actions => Log.Select(l => l.Action);

    public TimeSpan FirstAt(string action) => Log.First(l => l.Action == action).At;
}
