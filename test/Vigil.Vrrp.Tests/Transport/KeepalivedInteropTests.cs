using System.Diagnostics;
using System.Net;
using Vigil.Netlink;
using Vigil.Tests;
using Vigil.Vrrp.Protocol;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Transport;

/// <summary>
/// Debian's real keepalived (VRRP only) runs in one namespace the test creates; Vigil's socket, codec and
/// filter receive its adverts in another, across a veth pair. The keepalived process is the test's own,
/// stopped by its pid.
/// </summary>
public sealed class KeepalivedInteropTests : IDisposable
{
    private static readonly IPAddress Ka1 = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Ka2 = IPAddress.Parse("198.51.100.12");
    private static readonly string[] KeepalivedPaths = ["/usr/sbin/keepalived", "/sbin/keepalived"];

    private readonly TestNamespace _keepalived = new();
    private readonly TestNamespace _vigil = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-ka-").FullName;
    private readonly bool _ready;
    private Process? _process;

    public KeepalivedInteropTests()
    {
        _ready = TestNamespace.Connect(_keepalived, "198.51.100.11/24", _vigil, "198.51.100.12/24");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            // SIGTERM so that keepalived stops its VRRP child too; SIGKILL only if it does not.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                term.WaitForExit();
            }
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process?.Dispose();
        _keepalived.Dispose();
        _vigil.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(2, "1", "authentication {\n        auth_type PASS\n        auth_pass s3cr3t\n    }")]
    [InlineData(3, "0.1", "")]
    public void KeepalivedsAdverts_AreReceivedDecodedAndAccepted(int version, string advertInt, string authentication)
    {
        var keepalived = KeepalivedPaths.FirstOrDefault(File.Exists);
        if (!_ready || keepalived is null)
        {
            Skips.Missing(keepalived is null ? "keepalived is not installed (test/run installs it)" : TestNamespace.SkipReason);
        }
        var config = Path.Combine(_directory, "keepalived.conf");
        File.WriteAllText(config, $$"""
            global_defs {
                router_id ka1
            }
            vrrp_instance vi_1 {
                state MASTER
                interface d0
                virtual_router_id 51
                version {{version}}
                priority 100
                advert_int {{advertInt}}
                {{authentication}}
                virtual_ipaddress {
                    198.51.100.100/24
                }
            }
            """);
        using var socket = NetworkNamespace.Run(_vigil.Name, () => new Ipv4VrrpSocket("d1", _vigil.IndexOf("d1"), Ka2, joinMulticast: true));
        _process = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", _keepalived.Name, keepalived, "-n", "-l", "-D", "-P", "-G", "-f", config,
             "-p", Path.Combine(_directory, "keepalived.pid"), "-r", Path.Combine(_directory, "vrrp.pid")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var filter = new AdvertisementFilter(new InstanceExpectation((byte)version, 51, (ushort)(version == 2 ? 1 : 10),
            version == 2 ? VrrpAuthType.SimpleText : VrrpAuthType.NoAuthentication,
            version == 2 ? VrrpCodec.SimpleTextAuthentication("s3cr3t") : ReadOnlyMemory<byte>.Empty, [Ka2]));
        ReceivedAdvertisement? advert = null;
        var waited = Stopwatch.StartNew();
        while (advert is null && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            var received = socket.Receive(TimeSpan.FromMilliseconds(250));
            if (received is not null && filter.Check(received.Verdict, received.Ipv4Header!.Value.Source, received.Advertisement) == VrrpRejection.None)
            {
                advert = received;
            }
        }

        Assert.True(advert is not null, $"no advert from keepalived accepted within 10 s; drops: {string.Join(", ", filter.DropCounts())}");
        Assert.Equal(Ka1, advert.Source);
        Assert.Equal(IPAddress.Parse("224.0.0.18"), advert.Destination);
        Assert.Equal((byte)100, advert.Advertisement!.Priority);
        Assert.Equal([IPAddress.Parse("198.51.100.100")], advert.Advertisement.IpAddresses);
        Assert.Equal(version == 2 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(100), advert.Advertisement.Interval);
    }
}
