namespace Vigil.Import.Reading;

/// <summary>keepalived keywords real configurations use that Vigil cannot express yet, and what is missing.</summary>
internal static class Unsupported
{
    private const string FifoEvents = "Vigil's notify FIFOs carry state changes (INSTANCE, GROUP, VS, RS), not MASTER_RX_LOWER_PRI or priority changes";

    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["vrrp_notify_priority_changes"] = FifoEvents,
        ["notify_priority_changes"] = FifoEvents,
        ["notify_master_rx_lower_pri"] = FifoEvents,
        ["fifo_write_vrrp_states_on_reload"] = "Vigil writes a FIFO line when a state changes, and a reload that changes none writes none",
        ["track_process"] = "Vigil tracks processes on instances: list the process in each of the group's instances (trackProcesses)",
        ["mcast_dst_ip"] = "a multicast group other than VRRP's is not in Vigil yet",
        ["vrrp_mcast_group4"] = "a multicast group other than VRRP's is not in Vigil yet",
        ["vrrp_mcast_group6"] = "a multicast group other than VRRP's is not in Vigil yet",
        ["BFD_CHECK"] = "BFD is not in Vigil",
        ["track_bfd"] = "BFD is not in Vigil",
        ["bfd_instance"] = "BFD is not in Vigil",
        ["track_group"] = "track_group is not in Vigil yet",
        ["dont_track_primary"] = "Vigil always tracks the instance's own interface",
        ["linkbeat_use_polling"] = "Vigil follows links through netlink only",
    };
}
