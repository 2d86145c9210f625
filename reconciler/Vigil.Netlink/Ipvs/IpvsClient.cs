using Vigil.Netlink.Generic;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Ipvs;

/// <summary>The kernel's IPVS, as IPVS_CMD_GET_INFO reports it (ipvsadm prints the same: "version 1.2.1 (size=4096)").</summary>
public sealed record IpvsInfo(Version Version, int ConnectionTableSize);

/// <summary>Thrown when the kernel has no IPVS generic netlink family: the module is not loaded or not built.</summary>
public sealed class IpvsUnavailableException()
    : Exception("this kernel has no IPVS: load ip_vs (modprobe ip_vs), or run on a kernel built with IP_VS");

/// <summary>
/// IPVS over generic netlink (linux/ip_vs.h), the kernel interface ipvsadm and keepalived use. Requests on one socket
/// are serialized. Attribute values are host order, except addresses and ports, which are network order.
/// </summary>
public sealed class IpvsClient : IDisposable
{
    /// <summary>IPVS_GENL_NAME and IPVS_GENL_VERSION.</summary>
    public const string FamilyName = "IPVS";
    private const byte GenlVersion = 1;

    private const byte CmdGetInfo = 15;
    private const ushort InfoAttrVersion = 1;
    private const ushort InfoAttrConnTabSize = 2;

    private readonly Lock _gate = new();
    private readonly NetlinkSocket _socket;
    private readonly ushort _family;

    private IpvsClient(NetlinkSocket socket)
    {
        _socket = socket;
        try
        {
            _family = GenericNetlinkMessages.ResolveFamily(socket, FamilyName) ?? throw new IpvsUnavailableException();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens a generic netlink socket and resolves the IPVS family; throws <see cref="IpvsUnavailableException"/> without it.</summary>
    public static IpvsClient Open() => new(NetlinkSocket.Open(NetlinkSocket.Generic));

    public IpvsInfo Info()
    {
        lock (_gate)
        {
            var request = GenericNetlinkMessages.Begin(CmdGetInfo, GenlVersion).Finish(_family, NetlinkFlags.Request, _socket.NextSequence());
            var replies = _socket.Dump<IpvsInfo>(request, TryParseInfo, "read IPVS info");
            return replies.Count > 0 ? replies[0] : throw new NetlinkException(61, "read IPVS info: no reply"); // ENODATA
        }
    }

    private static bool TryParseInfo(NetlinkMessage message, out IpvsInfo info)
    {
        info = null!;
        uint? version = null, size = null;
        var attributes = GenericNetlinkMessages.Attributes(message);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case InfoAttrVersion:
                    version = attribute.AsUInt32();
                    break;
                case InfoAttrConnTabSize:
                    size = attribute.AsUInt32();
                    break;
            }
        }
        if (version is not { } v || size is not { } s)
        {
            return false;
        }
        // IP_VS_VERSION_CODE: 0x010201 is 1.2.1.
        info = new IpvsInfo(new Version((int)(v >> 16), (int)((v >> 8) & 0xff), (int)(v & 0xff)), (int)s);
        return true;
    }

    public void Dispose() => _socket.Dispose();
}
