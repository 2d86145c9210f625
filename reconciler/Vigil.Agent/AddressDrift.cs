using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>How an address change made by someone else differs from what the agent manages.</summary>
public enum AddressDriftKind
{
    /// <summary>A VIP of an instance that is master was removed: clients lose it until the next takeover.</summary>
    VipRemovedFromMaster,

    /// <summary>A VIP appeared on an instance that is not master: two nodes may answer for it.</summary>
    VipAddedOutsideMaster,

    /// <summary>An address Vigil does not manage was added to or removed from an interface an instance runs on.</summary>
    UnmanagedAddressChanged,
}

/// <summary>One address change that the agent did not make, kept for the drift report.</summary>
public sealed record AddressDrift(AddressDriftKind Kind, string? Instance, AddressEvent Event, DateTimeOffset At);

/// <summary>What one running instance owns, as the classifier needs it.</summary>
public sealed record ManagedAddresses(string Instance, bool IsMaster, IReadOnlySet<int> Interfaces, IReadOnlyList<InterfaceAddress> Vips);

/// <summary>
/// Tells the agent's own address changes from others' (pure). The agent's own are consistent with the instance's
/// state: a master adds its VIPs, any other state removes them; the notification arrives after the change, when the
/// state already says which it was.
/// </summary>
public static class AddressDriftClassifier
{
    public static AddressDrift? Classify(AddressEvent change, IReadOnlyList<ManagedAddresses> managed, DateTimeOffset at)
    {
        var address = change.Address;
        foreach (var instance in managed)
        {
            if (!instance.Vips.Any(v => v.InterfaceIndex == address.InterfaceIndex && v.Address.Equals(address.Address)))
            {
                continue;
            }
            return (change.Added, instance.IsMaster) switch
            {
                (false, true) => new AddressDrift(AddressDriftKind.VipRemovedFromMaster, instance.Instance, change, at),
                (true, false) => new AddressDrift(AddressDriftKind.VipAddedOutsideMaster, instance.Instance, change, at),
                _ => null, // the agent's own move
            };
        }
        // The kernel makes IPv6 link-local addresses itself when a link comes up: not somebody's hand.
        if (address.Address.IsIPv6LinkLocal)
        {
            return null;
        }
        var owner = managed.FirstOrDefault(m => m.Interfaces.Contains(address.InterfaceIndex));
        return owner is null ? null : new AddressDrift(AddressDriftKind.UnmanagedAddressChanged, owner.Instance, change, at);
    }
}
