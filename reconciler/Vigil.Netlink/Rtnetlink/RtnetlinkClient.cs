namespace Vigil.Netlink.Rtnetlink;

/// <summary>Where VIPs are added and removed; the engine sees only this, so tests can record the calls.</summary>
public interface IAddressTable
{
    /// <summary>Adds the address; false when it was already there (not an error: the state is what was asked).</summary>
    bool Add(InterfaceAddress address);

    /// <summary>Deletes the address; false when it was not there.</summary>
    bool Delete(InterfaceAddress address);
}

/// <summary>Where virtual and static routes and rules are read, added and removed (tests record the calls).</summary>
public interface IRoutingTable
{
    IReadOnlyList<KernelRoute> Routes();

    IReadOnlyList<KernelRule> Rules();

    /// <summary>Adds the route; false when it was already there.</summary>
    bool Add(KernelRoute route);

    /// <summary>Deletes the route; false when it was not there.</summary>
    bool Delete(KernelRoute route);

    bool Add(KernelRule rule);

    bool Delete(KernelRule rule);
}

/// <summary>
/// Addresses and links of the network namespace the process runs in, over one rtnetlink socket.
/// Requests on a netlink socket must not interleave, so they are serialized.
/// </summary>
public sealed class RtnetlinkClient : IAddressTable, IRoutingTable, IDisposable
{
    private const int Eexist = 17;
    private const int Eaddrnotavail = 99;
    private const int Enoent = 2;
    private const int Esrch = 3;

    private readonly Lock _gate = new();
    private readonly NetlinkSocket _socket;

    private RtnetlinkClient(NetlinkSocket socket)
    {
        _socket = socket;
        CompileChanges();
    }

    public static RtnetlinkClient Open() => new(NetlinkSocket.Open(NetlinkSocket.Route));

    public static RtnetlinkClient OpenInNamespace(string name) => new(NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, name));

    public IReadOnlyList<NetworkLink> Links()
    {
        lock (_gate)
        {
            return _socket.Dump<NetworkLink>(LinkMessages.DumpRequest(_socket.NextSequence()), LinkMessages.TryParse, "list links");
        }
    }

    public NetworkLink? Link(string name) => Links().FirstOrDefault(l => l.Name == name);

    public IReadOnlyList<InterfaceAddress> Addresses()
    {
        lock (_gate)
        {
            return _socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(_socket.NextSequence()), AddressMessages.TryParse, "list addresses");
        }
    }

    public bool Add(InterfaceAddress address) => Change(add: true, address, Eexist);

    /// <summary>Every route of every table (cache entries and multipath routes left out).</summary>
    public IReadOnlyList<KernelRoute> Routes()
    {
        lock (_gate)
        {
            return _socket.Dump<KernelRoute>(RouteMessages.DumpRequest(_socket.NextSequence()), RouteMessages.TryParse, "list routes");
        }
    }

    public IReadOnlyList<KernelRule> Rules()
    {
        lock (_gate)
        {
            return _socket.Dump<KernelRule>(RuleMessages.DumpRequest(_socket.NextSequence()), RuleMessages.TryParse, "list rules");
        }
    }

    public bool Add(KernelRoute route) => Tolerating(Eexist, () => Execute(seq => RouteMessages.ChangeRequest(true, route, seq), $"add route {route}"));

    public bool Delete(KernelRoute route) => Tolerating(Esrch, () => Execute(seq => RouteMessages.ChangeRequest(false, route, seq), $"delete route {route}"));

    public bool Add(KernelRule rule) => Tolerating(Eexist, () => Execute(seq => RuleMessages.ChangeRequest(true, rule, seq), $"add rule {rule}"));

    public bool Delete(KernelRule rule) => Tolerating(Enoent, () => Execute(seq => RuleMessages.ChangeRequest(false, rule, seq), $"delete rule {rule}"));

    /// <summary>Runs a change; false when the kernel answered <paramref name="alreadyDone"/> (the state is what was asked).</summary>
    private static bool Tolerating(int alreadyDone, Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (NetlinkException e) when (e.Errno == alreadyDone)
        {
            return false;
        }
    }

    /// <summary>
    /// Adds and deletes once on interface 0, which no link has: the kernel refuses (ENODEV) and nothing changes, but
    /// the code is compiled before a takeover first adds its VIPs (a first call was measured at ~1 ms in the agent,
    /// which runs without tiered compilation and so compiles fully on first use).
    /// </summary>
    private void CompileChanges()
    {
        var nowhere = new InterfaceAddress(0, System.Net.IPAddress.Any, 32, 0, null);
        foreach (var change in new Func<InterfaceAddress, bool>[] { Add, Delete })
        {
            try
            {
                change(nowhere);
            }
            catch (NetlinkException)
            {
                // ENODEV, as intended.
            }
        }
    }

    public bool Delete(InterfaceAddress address) => Change(add: false, address, Eaddrnotavail);

    /// <summary>Creates a private-mode macvlan (down) and returns it as the kernel lists it.</summary>
    public NetworkLink CreateMacvlan(string name, int parentIndex, System.Net.NetworkInformation.PhysicalAddress mac)
    {
        Execute(seq => LinkMessages.CreateMacvlanRequest(name, parentIndex, mac, seq), $"create macvlan {name} on interface {parentIndex}");
        return Link(name) ?? throw new NetlinkException(19, $"macvlan {name} created but not listed");
    }

    public void SetUp(int index, bool up) => Execute(seq => LinkMessages.SetUpRequest(index, up, seq), $"set interface {index} {(up ? "up" : "down")}");

    public void DeleteLink(int index) => Execute(seq => LinkMessages.DeleteRequest(index, seq), $"delete interface {index}");

    public void SetNoIpv6AddressGeneration(int index) =>
        Execute(seq => LinkMessages.SetNoIpv6AddressGenerationRequest(index, seq), $"turn off IPv6 address generation on interface {index}");

    /// <summary>An address the agent's own plumbing needs at once (a virtual MAC's link-local): no duplicate detection.</summary>
    public void AddWithoutDuplicateDetection(InterfaceAddress address) =>
        Execute(seq => AddressMessages.ChangeRequest(add: true, address, seq, skipDuplicateDetection: true), $"add {address.Address}/{address.PrefixLength} to interface {address.InterfaceIndex}");

    public void SetIpv4Config(int index, IReadOnlyDictionary<Ipv4DeviceSetting, uint> settings) =>
        Execute(seq => LinkMessages.SetIpv4ConfigRequest(index, settings, seq), $"set IPv4 settings of interface {index}");

    private void Execute(Func<uint, ReadOnlyMemory<byte>> request, string what)
    {
        lock (_gate)
        {
            _socket.Execute(request(_socket.NextSequence()), what);
        }
    }

    private bool Change(bool add, InterfaceAddress address, int alreadyDone)
    {
        var what = $"{(add ? "add" : "delete")} {address.Address}/{address.PrefixLength} {(add ? "to" : "from")} interface {address.InterfaceIndex}";
        return Tolerating(alreadyDone, () => Execute(seq => AddressMessages.ChangeRequest(add, address, seq), what));
    }

    public void Dispose() => _socket.Dispose();
}
