using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Health.Probes;
using Vigil.Netlink.Generic;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Fuzz;

/// <summary>
/// The first inputs of the targets whose corpus does not come from captures or files (vrrp: the captured vectors;
/// yaml: the examples): messages the product's own encoders write, and the answers well-behaved servers give.
/// `Vigil.Fuzz --seed DIR` writes them into DIR/TARGET/corpus.
/// </summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        var vip = new InterfaceAddress(2, IPAddress.Parse("198.51.100.100"), 24, 0, "eth0");
        Save(root, "rtnetlink", "address-add", AddressMessages.ChangeRequest(true, vip, 1).ToArray());
        Save(root, "rtnetlink", "address-delete-v6", AddressMessages.ChangeRequest(false, vip with { Address = IPAddress.Parse("2001:db8::100"), PrefixLength = 64 }, 2).ToArray());
        Save(root, "rtnetlink", "macvlan", LinkMessages.CreateMacvlanRequest("vrrp.51", 2, PhysicalAddress.Parse("00-00-5E-00-01-33"), 3).ToArray());
        Save(root, "rtnetlink", "link-up", LinkMessages.SetUpRequest(2, true, 4).ToArray());

        var service = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("198.51.100.100"), 80);
        const ushort family = 0x1c;
        Save(root, "ipvs", "family", GenericNetlinkMessages.FamilyRequest("IPVS", 1).ToArray());
        Save(root, "ipvs", "service", IpvsMessages.ServiceRequest(IpvsCommand.NewService, service, new IpvsServiceSettings("wlc", 0, 0, 32), family, 2).ToArray());
        Save(root, "ipvs", "destination", IpvsMessages.DestinationRequest(IpvsCommand.NewDestination, service,
            new IpvsDestinationKey(IPAddress.Parse("203.0.113.10"), 8080), new IpvsDestinationSettings(IpvsForwarding.Nat, 1), family, 3).ToArray());

        Save(root, "dns", "a-answer", DnsAnswer());
        Save(root, "http", "ok", Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        Save(root, "http", "chunked", Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
        Save(root, "http", "unavailable", Encoding.ASCII.GetBytes("HTTP/1.0 503 Service Unavailable\r\n\r\n"));
        Save(root, "smtp", "ok", Encoding.ASCII.GetBytes("220 mx.example.org ESMTP\r\n250 mx.example.org\r\n221 bye\r\n"));
        foreach (var (name, expression) in PolicySeeds)
        {
            Save(root, "policy", name, Encoding.UTF8.GetBytes(expression));
        }
        Save(root, "smtp", "multiline", Encoding.ASCII.GetBytes("220-mx.example.org\r\n220 ready\r\n250-mx.example.org\r\n250 SIZE 1000\r\n221 bye\r\n"));
    }

    /// <summary>Rules as the shipped policies and the README write them, and the language's corners.</summary>
    private static readonly (string, string)[] PolicySeeds =
    [
        ("has", "!has(object.spec.authentication)"),
        ("size", "size(object.spec.members) + (has(object.spec.externalPeers) ? size(object.spec.externalPeers) : 0) >= 2"),
        ("all-cidr", "object.spec.virtualAddresses.all(a, cidr('198.51.100.0/24').containsCIDR(a.address) || cidr('2001:db8::/32').containsCIDR(a.address))"),
        ("duration", "duration(object.spec.advertInterval) < duration('2s') && duration('1m').getSeconds() == 60"),
        ("map-filter", "object.spec.members.map(m, m.priority > 90, m.node) == ['ka1'] && object.spec.members.filter(m, m.priority < 90).size() == 1"),
        ("strings", """object.spec.interface.matches('^eth[0-9]+$') && r'\d' == '\\d' && '''a'b''' != "x" && 'é'.upperAscii() == 'é'"""),
        ("literals", "{'a': [1, 2.5, -3, 0x10, true, null]}['a'][1] == 2.5 && 7 % 2 == 1 && -9223372036854775808 < 0"),
        ("exists-one", "object.spec.members.exists_one(m, m.node == 'ka2') && 'ka1' in object.spec.members.map(m, m.node)"),
    ];

    /// <summary>A reply to "A www.example.org?" with one answer (198.51.100.80): the query the check sends, with a record added.</summary>
    private static byte[] DnsAnswer()
    {
        var query = new byte[512];
        var length = DnsQuery.Encode(0x1234, "www.example.org", 1, query);
        using var reply = new MemoryStream();
        reply.Write(query, 0, length);
        var bytes = reply.ToArray();
        bytes[2] = 0x81; // QR, RD
        bytes[3] = 0x80; // RA, NOERROR
        bytes[7] = 1; // ANCOUNT
        byte[] answer = [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 80];
        return [.. bytes, .. answer];
    }

    private static void Save(string root, string target, string name, byte[] input)
    {
        var folder = Path.Combine(root, target, "corpus");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, name + ".bin"), input);
    }
}
