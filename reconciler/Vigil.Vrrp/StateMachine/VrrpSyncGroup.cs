namespace Vigil.Vrrp.StateMachine;

/// <summary>
/// Instances that change state together, as keepalived's vrrp_sync_group: one member becoming master takes the
/// group to master, one stepping down takes it to backup, and one member's fault puts the whole group in fault
/// until no member has a fault of its own. The members share this group's lock, so a transition and the ones it
/// causes happen as one step, and two members can never wait on each other.
/// </summary>
public sealed class VrrpSyncGroup(string name)
{
    private readonly List<VrrpStateMachine> _members = [];
    private bool _propagating;

    public string Name { get; } = name;

    internal Lock Gate { get; } = new();

    public IReadOnlyList<VrrpStateMachine> Members => _members;

    internal void Add(VrrpStateMachine member)
    {
        lock (Gate)
        {
            _members.Add(member);
        }
    }

    /// <summary>A member stopped for good (removed or redefined on reload).</summary>
    internal void Remove(VrrpStateMachine member)
    {
        lock (Gate)
        {
            _members.Remove(member);
        }
    }

    /// <summary>True while some member other than <paramref name="except"/> has a fault of its own.</summary>
    internal bool AnyOtherFaulty(VrrpStateMachine except) => _members.Any(m => m != except && m.HasOwnFault);

    /// <summary>Called under <see cref="Gate"/> when a member changed state; the others follow.</summary>
    internal void MemberChanged(VrrpStateMachine member, VrrpState to, string reason)
    {
        if (_propagating)
        {
            return;
        }
        _propagating = true;
        try
        {
            foreach (var other in _members.Where(m => m != member))
            {
                other.FollowGroup(to, $"sync group {Name}: {reason}");
            }
        }
        finally
        {
            _propagating = false;
        }
    }
}
