using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Netlink.Generic;
using Vigil.Netlink.Wire;

namespace Vigil.Netlink.Ipvs;

/// <summary>The kernel's IPVS, as IPVS_CMD_GET_INFO reports it (ipvsadm prints the same: "version 1.2.1 (size=4096)").</summary>
public sealed record IpvsInfo(Version Version, int ConnectionTableSize);

/// <summary>Thrown when the kernel has no IPVS generic netlink family: the module is not loaded or not built.</summary>
public sealed class IpvsUnavailableException()
    : Exception("this kernel has no IPVS: load ip_vs (modprobe ip_vs), or run on a kernel built with IP_VS");

/// <summary>The kernel refused one IPVS change; says which, with the errno and what it means for IPVS.</summary>
public sealed class IpvsException(IpvsChange change, int errno, string message) : Exception(message)
{
    public IpvsChange Change { get; } = change;

    public int Errno { get; } = errno;
}

/// <summary>The kernel's IPVS table, read and changed one request at a time: the edge the IPVS applier works through.</summary>
public interface IIpvsKernel
{
    IpvsTable Read();

    /// <summary>Makes one change; throws <see cref="IpvsException"/> when the kernel refuses it.</summary>
    void Execute(IpvsChange change);
}

/// <summary>
/// IPVS over generic netlink (linux/ip_vs.h), the kernel interface ipvsadm and keepalived use. Requests on one socket
/// are serialized. Attribute values are host order, except addresses and ports, which are network order.
/// </summary>
public sealed class IpvsClient : IIpvsKernel, IDisposable
{
    /// <summary>IPVS_GENL_NAME.</summary>
    public const string FamilyName = "IPVS";

    private const ushort InfoAttrVersion = 1;
    private const ushort InfoAttrConnTabSize = 2;

    private const int Esrch = 3, Enoent = 2, Eexist = 17, Erange = 34;

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

    /// <summary>The IPVS table of a named network namespace (each namespace has its own).</summary>
    public static IpvsClient OpenInNamespace(string name) => new(NetlinkSocket.OpenInNamespace(NetlinkSocket.Generic, name));

    public IpvsInfo Info()
    {
        lock (_gate)
        {
            var request = GenericNetlinkMessages.Begin((byte)IpvsCommand.GetInfo, IpvsMessages.Version).Finish(_family, NetlinkFlags.Request, _socket.NextSequence());
            var replies = _socket.Dump<IpvsInfo>(request, TryParseInfo, "read IPVS info");
            return replies.Count > 0 ? replies[0] : throw new NetlinkException(61, "read IPVS info: no reply"); // ENODATA
        }
    }

    /// <summary>Every service with its destinations and counters, in the kernel's order.</summary>
    public IpvsTable Read()
    {
        lock (_gate)
        {
            var services = _socket.Dump<IpvsService>(IpvsMessages.ServiceDumpRequest(_family, _socket.NextSequence()), IpvsMessages.TryParseService, "list IPVS services");
            return new IpvsTable(services.Select(s => s with { Destinations = DestinationsOf(s.Key) }));
        }
    }

    public void Execute(IpvsChange change)
    {
        Func<uint, ReadOnlyMemory<byte>> request = change switch
        {
            AddService add => sequence => IpvsMessages.ServiceRequest(IpvsCommand.NewService, add.Service, add.Settings, _family, sequence),
            EditService edit => sequence => IpvsMessages.ServiceRequest(IpvsCommand.SetService, edit.Service, edit.After, _family, sequence),
            DeleteService delete => sequence => IpvsMessages.ServiceRequest(IpvsCommand.DeleteService, delete.Service, null, _family, sequence),
            AddDestination add => sequence => IpvsMessages.DestinationRequest(IpvsCommand.NewDestination, add.Service, add.Key, add.Settings, _family, sequence),
            EditDestination edit => sequence => IpvsMessages.DestinationRequest(IpvsCommand.SetDestination, edit.Service, edit.Key, edit.After, _family, sequence),
            DeleteDestination delete => sequence => IpvsMessages.DestinationRequest(IpvsCommand.DeleteDestination, delete.Service, delete.Key, null, _family, sequence),
            _ => throw new ArgumentException($"unknown IPVS change {change.GetType().Name}", nameof(change)),
        };
        try
        {
            Send(request, change.ToString());
        }
        catch (NetlinkException e)
        {
            throw new IpvsException(change, e.Errno, $"{e.Message}{Meaning(change, e.Errno)}");
        }
    }

    /// <summary>Removes every service (ipvsadm -C).</summary>
    public void Flush() => Send(sequence => IpvsMessages.FlushRequest(_family, sequence), "flush IPVS");

    private void Send(Func<uint, ReadOnlyMemory<byte>> request, string what)
    {
        lock (_gate)
        {
            _socket.Execute(request(_socket.NextSequence()), what);
        }
    }

    private List<IpvsDestination> DestinationsOf(IpvsServiceKey service) =>
        _socket.Dump<IpvsDestination>(IpvsMessages.DestinationDumpRequest(service, _family, _socket.NextSequence()), IpvsMessages.TryParseDestination, $"list destinations of {service}");

    // What an errno means for IPVS (net/netfilter/ipvs/ip_vs_ctl.c).
    private static string Meaning(IpvsChange change, int errno)
    {
        var scheduler = change switch
        {
            AddService add => add.Settings.Scheduler,
            EditService edit => edit.After.Scheduler,
            _ => null,
        };
        return (change, errno) switch
        {
            (_, Enoent) when scheduler is not null => $": the kernel has no scheduler '{scheduler}' (module ip_vs_{scheduler})",
            (AddService, Eexist) => ": the service already exists",
            (_, Esrch) => $": there is no service {change.Service}",
            (AddDestination, Eexist) => ": the destination already exists",
            (EditDestination or DeleteDestination, Enoent) => ": the service has no such destination",
            (AddDestination or EditDestination, Erange) => ": weight or thresholds out of range",
            _ => "",
        };
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
