using System.Diagnostics;
using System.Text.RegularExpressions;
using Vigil.Netlink.Generic;
using Vigil.Netlink.Ipvs;
using Vigil.Tests;

namespace Vigil.Netlink.Tests;

/// <summary>
/// Generic netlink and the IPVS client. This host's kernel has no IPVS, so the IPVS tests run inside a
/// guest (<see cref="GuestKernel"/>): <see cref="InGuestKernel_GuestTestsPass"/> boots it and runs this very test executable there, filtered to
/// the tests that carry the <c>guest</c> trait; run on the host, those skip and say so.
/// </summary>
public sealed partial class IpvsClientTests
{
    private const string GuestTrait = "guest";

    [Fact]
    public void ResolveFamily_TheControllerResolvesItself_AndAnUnknownNameIsNull()
    {
        using var socket = NetlinkSocket.Open(NetlinkSocket.Generic);

        Assert.Equal(GenericNetlinkMessages.ControllerFamily, GenericNetlinkMessages.ResolveFamily(socket, "nlctrl"));
        Assert.Null(GenericNetlinkMessages.ResolveFamily(socket, "no-such-family"));
    }

    [Fact]
    public void Open_WithoutIpvsInTheKernel_SaysToLoadIpVs()
    {
        using (var socket = NetlinkSocket.Open(NetlinkSocket.Generic))
        {
            if (GenericNetlinkMessages.ResolveFamily(socket, IpvsClient.FamilyName) is not null)
            {
                Skips.NotApplicable("this kernel has IPVS; the message for its absence cannot be seen here");
            }
        }

        var refused = Assert.Throws<IpvsUnavailableException>(IpvsClient.Open);

        Assert.StartsWith("this kernel has no IPVS: load ip_vs", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(GuestTrait, "ipvs")]
    public void Info_InTheGuest_AgreesWithIpvsadm()
    {
        SkipUnlessInGuest();
        using var ipvs = IpvsClient.Open();

        var info = ipvs.Info();

        // ipvsadm, an independent implementation, prints "IP Virtual Server version 1.2.1 (size=4096)".
        var header = IpvsadmHeader().Match(Run("ipvsadm", "-Ln"));
        Assert.True(header.Success);
        Assert.Equal(header.Groups["version"].Value, info.Version.ToString());
        Assert.Equal(header.Groups["size"].Value, info.ConnectionTableSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void InGuestKernel_GuestTestsPass()
    {
        var output = GuestTestRun.Run(Path.Combine(AppContext.BaseDirectory, "Vigil.Netlink.Tests"), GuestTrait, "ipvs");

        TestContext.Current.TestOutputHelper?.WriteLine(output);
    }

    private static void SkipUnlessInGuest()
    {
        if (!GuestKernel.IsInside)
        {
            Skips.HostCopyOfGuestTest("runs inside the guest kernel, which has IPVS (see InGuestKernel_GuestTestsPass)");
        }
    }

    private static string Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"IP Virtual Server version (?<version>[\d.]+) \(size=(?<size>\d+)\)")]
    private static partial Regex IpvsadmHeader();
}
