using System.Diagnostics;
using System.Globalization;

namespace Vigil.Tests;

/// <summary>
/// A network namespace a test creates and deletes, holding a veth pair d0/d1 with d0 up (this kernel has
/// no dummy driver). iproute2's `ip` builds it and is the independent witness. Needs root.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    public const string SkipReason = "needs root and iproute2 to create a network namespace (test/run runs as root and installs iproute2)";

    private static readonly string[] IpPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"];
    private static int _counter;
    private static readonly string[] EthSteps = ["d0 down", "d0 name eth0", "d1 name eth1", "eth0 up", "eth1 up"];

    private readonly bool _added;

    public TestNamespace()
    {
        Name = $"vigil-nl-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !IpPaths.Any(File.Exists))
        {
            return;
        }
        _added = Ip("netns", "add", Name).ExitCode == 0;
        Ready = _added
            && Ip("-n", Name, "link", "add", "d0", "type", "veth", "peer", "name", "d1").ExitCode == 0
            && Ip("-n", Name, "link", "set", "d0", "up").ExitCode == 0;
    }

    public string Name { get; }

    public bool Ready { get; }

    /// <summary>The interface index of d0, as iproute2 reports it.</summary>
    public int D0Index => IndexOf("d0");

    public int IndexOf(string device) => int.Parse(InNamespace("-o", "link", "show", device).Output.Split(':')[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// Joins two namespaces: <paramref name="left"/>'s d0 keeps <paramref name="leftAddress"/>, its peer d1 moves to
    /// <paramref name="right"/> (whose own pair makes way) with <paramref name="rightAddress"/>. True when all went well.
    /// </summary>
    public static bool Connect(TestNamespace left, string leftAddress, TestNamespace right, string rightAddress) =>
        left.Ready && right.Ready
        && right.InNamespace("link", "del", "d0").ExitCode == 0
        && left.InNamespace("link", "set", "d1", "netns", right.Name).ExitCode == 0
        && left.InNamespace("addr", "add", leftAddress, "dev", "d0").ExitCode == 0
        && right.InNamespace("addr", "add", rightAddress, "dev", "d1").ExitCode == 0
        && right.InNamespace("link", "set", "d1", "up").ExitCode == 0;

    public (int ExitCode, string Output) InNamespace(params string[] args) => Ip(["-n", Name, .. args]);

    /// <summary>The pair renamed eth0 and eth1, both up: the interfaces the tests' keepalived configurations name.</summary>
    public bool NameThePairEth0AndEth1() => EthSteps.All(step => InNamespace(["link", "set", .. step.Split(' ')]).ExitCode == 0);

    public void Dispose()
    {
        if (_added)
        {
            Ip("netns", "del", Name);
        }
    }

    private static (int ExitCode, string Output) Ip(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
