using System.Diagnostics;
using System.Globalization;

namespace Vigil.Demo;

/// <summary>One machine of the lab: its namespace, its eth0 address (prefix included) and MAC.</summary>
public sealed record LabHost(string Name, string Namespace, string Address, string Mac);

/// <summary>
/// A small network on this machine, made of namespaces: a bridge in a namespace of its own and one namespace
/// per host, each with an eth0 plugged into the bridge. Built with iproute2 (this is a test bench, not the
/// product's address layer). Everything it makes is removed on dispose, processes first (by their pids).
/// </summary>
public sealed class NamespaceLab : IDisposable
{
    private static readonly string[] IpPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    private readonly List<LabHost> _hosts = [];
    private readonly List<Process> _processes = [];

    private NamespaceLab(string prefix)
    {
        Prefix = prefix;
        BridgeNamespace = prefix + "-br";
    }

    public string Prefix { get; }

    /// <summary>Holds br0, where a capture sees every frame of the lab.</summary>
    public string BridgeNamespace { get; }

    public IReadOnlyList<LabHost> Hosts => _hosts;

    public LabHost this[string name] => _hosts.Single(h => h.Name == name);

    /// <summary>Why the lab cannot be built here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the lab needs Linux network namespaces";
        }
        if (Environment.UserName != "root")
        {
            return "the lab needs root (network namespaces, raw sockets)";
        }
        return IpPaths.Any(File.Exists) ? null : "iproute2's ip is not installed";
    }

    /// <summary>Creates the bridge namespace; add hosts with <see cref="AddHost"/>.</summary>
    public static NamespaceLab Create(string prefix)
    {
        var lab = new NamespaceLab(prefix);
        try
        {
            lab.Ip("netns", "add", lab.BridgeNamespace);
            // No multicast snooping: VRRP's groups are flooded to every port, as on a plain switch.
            lab.Ip("-n", lab.BridgeNamespace, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            lab.Ip("-n", lab.BridgeNamespace, "link", "set", "br0", "up");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Another bridge beside br0 (a second network: the servers behind a pair of directors).</summary>
    public void AddBridge(string bridge)
    {
        Ip("-n", BridgeNamespace, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0");
        Ip("-n", BridgeNamespace, "link", "set", bridge, "up");
    }

    /// <summary>A host with eth0 on the bridge, <paramref name="address"/> on it (IPv4 or IPv6, with prefix length).</summary>
    public LabHost AddHost(string name, string address, int number, string bridge = "br0")
    {
        var host = new LabHost(name, $"{Prefix}-{name}", address, string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:00:{number:x2}"));
        Ip("netns", "add", host.Namespace);
        _hosts.Add(host);
        // Addresses usable at once: no duplicate address detection delay in the lab.
        Run("ip", "netns", "exec", host.Namespace, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        Ip("-n", host.Namespace, "link", "set", "lo", "up");
        Wire(host, bridge);
        return host;
    }

    /// <summary>A new eth0 for the host (a new interface index), plugged into the bridge, with the host's address, up.</summary>
    public void Wire(LabHost host, string bridge = "br0") => Plug(host, "eth0", host.Address, host.Mac, bridge, host.Name);

    /// <summary>A second interface of a host (its eth1 on another bridge), with <paramref name="address"/>, up.</summary>
    public void AddInterface(LabHost host, string name, string address, int number, string bridge) =>
        Plug(host, name, address, string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:01:{number:x2}"), bridge, $"{host.Name}-{name}");

    private void Plug(LabHost host, string name, string address, string mac, string bridge, string port)
    {
        Ip("-n", host.Namespace, "link", "add", name, "address", mac, "type", "veth", "peer", "name", port, "netns", BridgeNamespace);
        Ip("-n", BridgeNamespace, "link", "set", port, "master", bridge, "up");
        Ip("-n", host.Namespace, "addr", "add", address, "dev", name);
        Ip("-n", host.Namespace, "link", "set", name, "up");
    }

    /// <summary>An interface of the host's own (a veth pair, both ends in its namespace), up: one to track or to flap.</summary>
    public void AddVethPair(LabHost host, string name)
    {
        Ip("-n", host.Namespace, "link", "add", name, "type", "veth", "peer", "name", name + "p");
        Ip("-n", host.Namespace, "link", "set", name + "p", "up");
        Ip("-n", host.Namespace, "link", "set", name, "up");
    }

    /// <summary>Deletes the host's eth0 (and its bridge end): the interface is gone, not just down.</summary>
    public void Unwire(LabHost host) => Ip("-n", host.Namespace, "link", "del", "eth0");

    /// <summary>Takes a host's eth0 down: to the rest of the lab, the machine is gone.</summary>
    public void Unplug(LabHost host) => Ip("-n", host.Namespace, "link", "set", "eth0", "down");

    /// <summary>Another address on a host's eth0 (say an IPv6 one beside the IPv4 one).</summary>
    public void AddAddress(LabHost host, string address) => Ip("-n", host.Namespace, "addr", "add", address, "dev", "eth0");

    /// <summary>Starts a process inside a host's namespace; the lab kills it on dispose if it still runs.</summary>
    public Process Start(LabHost host, string file, IEnumerable<string> arguments, Action<string>? onLine = null) =>
        Start(host.Namespace, file, arguments, onLine);

    /// <summary>Starts a process inside one of the lab's namespaces (a host's, or the bridge's to capture).</summary>
    public Process Start(string networkNamespace, string file, IEnumerable<string> arguments, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo("ip", ["netns", "exec", networkNamespace, file, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine?.Invoke(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    /// <summary>Sends a signal to a process this lab started (by its pid: `ip netns exec` execs the command).</summary>
    public static void Signal(Process process, string signal)
    {
        if (!process.HasExited)
        {
            Run("kill", "-" + signal, process.Id.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The host's addresses on eth0 as `ip -o addr` prints them.</summary>
    public string Addresses(LabHost host) => Run("ip", "-n", host.Namespace, "-o", "addr", "show", "dev", "eth0").Output;

    public bool Holds(LabHost host, string address) =>
        Addresses(host).Contains($" {address}/", StringComparison.Ordinal);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                Signal(process, "TERM");
                if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    Signal(process, "KILL");
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            process.Dispose();
        }
        foreach (var host in _hosts)
        {
            Run("ip", "netns", "del", host.Namespace);
        }
        Run("ip", "netns", "del", BridgeNamespace);
    }

    private void Ip(params string[] arguments)
    {
        var (exitCode, output) = Run("ip", arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {output.Trim()}");
        }
    }

    public static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
