using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Netlink;
using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// Packets through the table Vigil programmed: a client namespace asks VIP:80 on the director, IPVS (NAT, round
/// robin) forwards to two real-server namespaces, each with a small HTTP server, and both answer in turn.
/// </summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed partial class DataPathTests
{
    private const string Vip = "203.0.113.100";

    [Fact]
    public async Task NatRoundRobin_ClientReachesBothRealServersThroughTheVip_AndTheCountersSayHowOften()
    {
        using var director = new IpvsGuest();
        using var client = new TestNamespace();
        using var real1 = new TestNamespace();
        using var real2 = new TestNamespace();
        IpvsGuest.Wire(director.Namespace, "c0", "203.0.113.1/24", client.Name, "203.0.113.2/24", null);
        IpvsGuest.Wire(director.Namespace, "s1", "198.51.100.1/28", real1.Name, "198.51.100.2/28", "198.51.100.1");
        IpvsGuest.Wire(director.Namespace, "s2", "198.51.100.17/28", real2.Name, "198.51.100.18/28", "198.51.100.17");
        Ip("-n", director.Namespace, "addr", "add", Vip + "/32", "dev", "c0");
        IpvsGuest.Run("ip", ["netns", "exec", director.Namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var servers = new[] { Serve(real1.Name, "real-1", cancel.Token), Serve(real2.Name, "real-2", cancel.Token) };

        var (_, result, remaining) = IpvsApplier.Converge(director.Client,
        [
            new VirtualServerSpec
            {
                Address = IPAddress.Parse(Vip),
                Port = 80,
                Scheduler = IpvsScheduler.Rr,
                Forwarding = IpvsForwarding.Nat,
                RealServers =
                [
                    new RealServerSpec { Address = IPAddress.Parse("198.51.100.2"), Port = 8080 },
                    new RealServerSpec { Address = IPAddress.Parse("198.51.100.18"), Port = 8080 },
                ],
            },
        ]);
        Assert.True(result.Succeeded && remaining.IsEmpty);

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await Get(client.Name, cancel.Token));
        }
        await cancel.CancelAsync();

        // Round robin: each real server answered every other request.
        Assert.Equal(2, answers.Count(a => a == "real-1"));
        Assert.Equal(2, answers.Count(a => a == "real-2"));
        Assert.NotEqual(answers[0], answers[1]);
        // The kernel folds its per-CPU counters into what a dump reports every 2 s (the rate estimator's tick).
        var service = Assert.Single(director.Client.Read().Services);
        for (var waited = 0; service.Stats.Connections < 4 && waited < 50; waited++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            service = Assert.Single(director.Client.Read().Services);
        }
        Assert.Equal(4UL, service.Stats.Connections);
        Assert.All(service.Destinations, d => Assert.Equal(2UL, d.Stats.Connections));
        // ipvsadm counts the same connections.
        Assert.Equal("4", IpvsadmConnections().Match(director.Ipvsadm("-Ln", "--stats", "--exact")).Groups["conns"].Value);
        foreach (var server in servers)
        {
            await server;
        }
    }

    /// <summary>A veth from the director to another namespace, both ends up with an address, and a default route there.</summary>
    private static void Ip(params string[] arguments) => IpvsGuest.Run("ip", arguments);

    /// <summary>An HTTP server on port 8080 of a namespace, answering its name, until cancelled.</summary>
    private static async Task Serve(string networkNamespace, string name, CancellationToken cancel)
    {
        using var listener = NetworkNamespace.Run(networkNamespace, () =>
        {
            var socket = new TcpListener(IPAddress.Any, 8080);
            socket.Start();
            return socket;
        });
        try
        {
            while (true)
            {
                using var connection = await listener.AcceptTcpClientAsync(cancel);
                var stream = connection.GetStream();
                var buffer = new byte[1024];
                await stream.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false, cancel);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {name.Length}\r\n\r\n{name}"), cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<string> Get(string networkNamespace, CancellationToken cancel)
    {
        using var socket = NetworkNamespace.Run(networkNamespace, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await socket.ConnectAsync(IPAddress.Parse(Vip), 80, cancel);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: vip\r\n\r\n"), cancel);
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(cancel);
        Assert.StartsWith("HTTP/1.0 200 OK", response, StringComparison.Ordinal);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    [GeneratedRegex(@"TCP\s+203\.0\.113\.100:80\s+(?<conns>\d+)")]
    private static partial Regex IpvsadmConnections();
}
