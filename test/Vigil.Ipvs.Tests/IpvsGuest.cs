using System.Diagnostics;
using Vigil.Netlink.Ipvs;
using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// A fresh network namespace inside the guest kernel, with its own (empty) IPVS table, Vigil's client to it
/// and ipvsadm, the independent witness. Outside the guest the test skips and says why.
/// </summary>
internal sealed class IpvsGuest : IDisposable
{
    public const string Trait = "guest";
    public const string Value = "ipvs";

    private readonly TestNamespace _namespace;

    public IpvsGuest()
    {
        if (!GuestKernel.IsInside)
        {
            Skips.HostCopyOfGuestTest("runs inside the guest kernel, which has IPVS (GuestRunTests.InGuestKernel_GuestTestsPass boots it)");
        }
        _namespace = new TestNamespace();
        Assert.True(_namespace.Ready, "could not create a network namespace in the guest");
        // The kernel refuses a destination whose address type it cannot tell is unicast (EINVAL): give it routes.
        Assert.Equal(0, _namespace.InNamespace("link", "set", "lo", "up").ExitCode);
        Client = IpvsClient.OpenInNamespace(_namespace.Name);
    }

    public string Namespace => _namespace.Name;

    public IpvsClient Client { get; }

    /// <summary>Runs ipvsadm in the namespace; fails the test when it fails.</summary>
    public string Ipvsadm(params string[] arguments) => Run("ip", ["netns", "exec", Namespace, "ipvsadm", .. arguments]);

    /// <summary>Feeds rules to ipvsadm-restore in the namespace.</summary>
    public void IpvsadmRestore(string rules) => Run("ip", ["netns", "exec", Namespace, "ipvsadm-restore"], rules);

    /// <summary>A veth from the director's namespace to another one, addressed, up, with an optional default route back.</summary>
    public static void Wire(string director, string name, string directorAddress, string other, string otherAddress, string? gateway)
    {
        Run("ip", ["-n", director, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", other]);
        Run("ip", ["-n", director, "addr", "add", directorAddress, "dev", name]);
        Run("ip", ["-n", director, "link", "set", name, "up"]);
        Run("ip", ["-n", other, "addr", "add", otherAddress, "dev", "eth0"]);
        Run("ip", ["-n", other, "link", "set", "eth0", "up"]);
        Run("ip", ["-n", other, "link", "set", "lo", "up"]);
        if (gateway is not null)
        {
            Run("ip", ["-n", other, "route", "add", "default", "via", gateway]);
        }
    }

    public static string Run(string file, string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error.Result}");
        return output;
    }

    public void Dispose()
    {
        Client.Dispose();
        _namespace.Dispose();
    }
}
