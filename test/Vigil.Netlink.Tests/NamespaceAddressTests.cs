using System.Diagnostics;
using System.Net;
using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Netlink.Tests;

/// <summary>
/// Adds and removes addresses in a network namespace the test creates and deletes (a veth pair inside it:
/// this kernel has no dummy driver); `ip` from iproute2 is the independent witness. Needs root; skips with
/// the reason otherwise.
/// </summary>
public sealed class NamespaceAddressTests : IDisposable
{
    private static readonly string[] IpPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"];

    private readonly string _namespace = $"vigil-nl-{Environment.ProcessId}";
    private readonly bool _namespaceAdded;
    private readonly bool _created;

    public NamespaceAddressTests()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !IpPaths.Any(File.Exists))
        {
            return;
        }
        _namespaceAdded = Ip("netns", "add", _namespace).ExitCode == 0;
        _created = _namespaceAdded
            && Ip("-n", _namespace, "link", "add", "d0", "type", "veth", "peer", "name", "d1").ExitCode == 0
            && Ip("-n", _namespace, "link", "set", "d0", "up").ExitCode == 0;
    }

    public void Dispose()
    {
        if (_namespaceAdded)
        {
            Ip("netns", "del", _namespace);
        }
    }

    [Fact]
    public void AddAndDelete_InANamespace_AreSeenByIproute2_AndByOurDump()
    {
        if (!_created)
        {
            Assert.Skip("needs root and iproute2 to create a network namespace (test/run runs as root and installs iproute2)");
        }
        var index = int.Parse(Ip("-n", _namespace, "-o", "link", "show", "d0").Output.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        var vip = new InterfaceAddress(index, IPAddress.Parse("198.51.100.100"), 24, 0, "d0:vip");
        using var socket = NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, _namespace);

        socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 198.51.100.100/24 to d0");

        Assert.Contains("inet 198.51.100.100/24 scope global d0:vip", Ip("-n", _namespace, "-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        var dumped = socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(socket.NextSequence()), AddressMessages.TryParse, "list addresses");
        Assert.Contains(vip, dumped);
        Assert.DoesNotContain(dumped, a => a.Address.Equals(IPAddress.Parse("198.51.100.101")));

        // Adding it again is refused, not silently accepted: the errno is named.
        var twice = Assert.Throws<NetlinkException>(() => socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 198.51.100.100/24 to d0"));
        Assert.Equal(17, twice.Errno);
        Assert.Equal("add 198.51.100.100/24 to d0: EEXIST (already exists)", twice.Message);

        socket.Execute(AddressMessages.ChangeRequest(add: false, vip, socket.NextSequence()), "delete 198.51.100.100/24 from d0");
        Assert.DoesNotContain("198.51.100.100", Ip("-n", _namespace, "-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        // The host's own addresses were never touched: the socket lives in the test namespace.
        Assert.DoesNotContain(NetlinkSocket.Open(NetlinkSocket.Route).Dump<InterfaceAddress>(AddressMessages.DumpRequest(1), AddressMessages.TryParse, "list"), a => a.Address.Equals(vip.Address));
    }

    [Fact]
    public void Ipv6Address_RoundTrips()
    {
        if (!_created)
        {
            Assert.Skip("needs root and iproute2 to create a network namespace (test/run runs as root and installs iproute2)");
        }
        var index = int.Parse(Ip("-n", _namespace, "-o", "link", "show", "d0").Output.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
        var vip = new InterfaceAddress(index, IPAddress.Parse("2001:db8::100"), 64, 0, null);
        using var socket = NetlinkSocket.OpenInNamespace(NetlinkSocket.Route, _namespace);
        socket.Execute(AddressMessages.ChangeRequest(add: true, vip, socket.NextSequence()), "add 2001:db8::100/64");
        Assert.Contains("inet6 2001:db8::100/64", Ip("-n", _namespace, "-o", "addr", "show", "dev", "d0").Output, StringComparison.Ordinal);
        var dumped = socket.Dump<InterfaceAddress>(AddressMessages.DumpRequest(socket.NextSequence()), AddressMessages.TryParse, "list addresses");
        Assert.Contains(dumped, a => a.Address.Equals(vip.Address) && a.PrefixLength == 64 && a.InterfaceIndex == index);
    }

    private static (int ExitCode, string Output) Ip(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
