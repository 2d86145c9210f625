using System.Net;
using Vigil.Core.Desired;

namespace Vigil.Notifications.Fifo;

/// <summary>
/// keepalived's notify FIFO lines, byte for byte (vrrp_notify.c, ipwrapper.c in 2.2.7): INSTANCE "VI_1" MASTER 100,
/// GROUP "G1" BACKUP 0, VS [198.51.100.80]:tcp:80 UP, RS [203.0.113.41]:tcp:8080 [198.51.100.80]:tcp:80 DOWN; each ends
/// with a newline. A fwmark service is "FWM 5" and its servers' protocol "none" (keepalived ignores a fwmark's protocol);
/// a group is "[NAME]:0".
/// </summary>
public static class FifoLines
{
    public static string Instance(string name, string state, int priority) => $"INSTANCE \"{name}\" {state} {priority}\n";

    /// <summary>keepalived writes a group's priority as 0.</summary>
    public static string Group(string name, string state) => $"GROUP \"{name}\" {state} 0\n";

    public static string VirtualServer(VirtualServerSpec server, bool up) => $"VS {Service(server)} {UpDown(up)}\n";

    public static string RealServer(VirtualServerSpec server, RealServerSpec real, bool up)
    {
        // keepalived clears the port of a DR or TUN fwmark service's servers.
        var port = server.Fwmark is not null && server.Forwarding != IpvsForwarding.Nat ? 0 : real.Port ?? server.DefaultPort ?? 0;
        return $"RS {Trio(real.Address, Protocol(server), port)} {Service(server)} {UpDown(up)}\n";
    }

    private static string Service(VirtualServerSpec server) => server.Group is { } group ? $"[{group.Name}]:0"
        : server.Fwmark is { } mark ? $"FWM {mark}"
        : Trio(server.Address!, Protocol(server), server.Port ?? 0);

    private static string Protocol(VirtualServerSpec server) =>
        server.Fwmark is not null || server.Group?.Members.All(m => m.Fwmark is not null) == true ? "none" : server.Protocol.ToString().ToLowerInvariant();

    private static string Trio(IPAddress address, string protocol, int port) => $"[{address}]:{protocol}:{port}";

    private static string UpDown(bool up) => up ? "UP" : "DOWN";
}
