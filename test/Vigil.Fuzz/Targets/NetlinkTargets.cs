using Vigil.Netlink.Generic;
using Vigil.Netlink.Ipvs;
using Vigil.Netlink.Rtnetlink;
using Vigil.Netlink.Wire;

namespace Vigil.Fuzz.Targets;

/// <summary>A datagram from the kernel's rtnetlink socket: every message in it read as an address event and as a link.</summary>
public sealed class RtnetlinkTarget : IFuzzTarget
{
    public string Name => "rtnetlink";

    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new NetlinkMessageReader(input);
        for (var i = 0; i < 1000 && reader.TryRead(out var message); i++)
        {
            _ = AddressMessages.TryParse(message, out _);
            _ = AddressMessages.TryParseEvent(message, out _);
            _ = LinkMessages.TryParse(message, out _);
        }
    }
}

/// <summary>A datagram from generic netlink: family resolution, and every message read as an IPVS service and destination.</summary>
public sealed class IpvsTarget : IFuzzTarget
{
    public string Name => "ipvs";

    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new NetlinkMessageReader(input);
        for (var i = 0; i < 1000 && reader.TryRead(out var message); i++)
        {
            _ = GenericNetlinkMessages.TryParseFamily(message, out _);
            _ = IpvsMessages.TryParseService(message, out _);
            _ = IpvsMessages.TryParseDestination(message, out _);
        }
    }
}
