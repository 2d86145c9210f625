using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Demo;
using Vigil.Netlink;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// The agent's health checks moving a real kernel's pool: `vigil agent` runs in the director's namespace of the guest,
/// TCP-checking two real servers in their own namespaces. One stops listening: the agent takes it out of the kernel's
/// table (ipvsadm, the witness, shows it gone) and runs its notify_down; it listens again: it is back.
/// </summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class HealthPoolTests
{
    [Fact]
    public async Task FailedRealServer_LeavesTheKernelsPool_AndReturnsWhenItAnswers()
    {
        using var director = new IpvsGuest();
        using var real1 = new Vigil.Tests.TestNamespace();
        using var real2 = new Vigil.Tests.TestNamespace();
        IpvsGuest.Wire(director.Namespace, "s1", "198.51.100.1/28", real1.Name, "198.51.100.2/28", "198.51.100.1");
        IpvsGuest.Wire(director.Namespace, "s2", "198.51.100.17/28", real2.Name, "198.51.100.18/28", "198.51.100.17");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var first = Listen(real1.Name, cancel.Token);
        var second = Listen(real2.Name, cancel.Token);
        var folder = Directory.CreateTempSubdirectory("vigil-health-pool-").FullName;
        var hooks = Path.Combine(folder, "hooks.log");
        File.WriteAllText(Path.Combine(folder, "cluster.yaml"), """
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: pool
            spec:
              nodes:
                - name: lb1
                  interfaces:
                    - name: s1
                      addresses: [198.51.100.1/28]
            """);
        string Real(string address) => $"""
                - address: {address}
                  port: 8080
                  healthCheck:
                    tcp: {"{}"}
                    connectTimeout: 3s
                  notify:
                    onDown: sh -c 'echo down {address} >> {hooks}'
                    onUp: sh -c 'echo up {address} >> {hooks}'
            """;
        File.WriteAllText(Path.Combine(folder, "web.yaml"), $"""
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: web
            spec:
              address: 203.0.113.100
              port: 80
              scheduler: rr
              forwarding: NAT
              delayLoop: 300ms
              realServers:
            {Real("198.51.100.2")}
            {Real("198.51.100.18")}
            """);
        var output = new ConcurrentQueue<string>();
        var (file, prefix) = VigilExecutable.BesideAssembly();
        using var agent = Start("ip", ["netns", "exec", director.Namespace, file, .. prefix, "agent", "--config", folder, "--node", "lb1",
            "--status-file", Path.Combine(folder, "status.json"), "--log-file", Path.Combine(folder, "agent.log")], output);
        string Explain() => string.Join('\n', output);
        const string Both = "-A -t 203.0.113.100:80 -s rr\n-a -t 203.0.113.100:80 -r 198.51.100.2:8080 -m -w 1\n-a -t 203.0.113.100:80 -r 198.51.100.18:8080 -m -w 1\n";
        try
        {
            Assert.True(await Vigil.Tests.Poll.Until(() => director.Ipvsadm("-Sn") == Both, TimeSpan.FromSeconds(30)), director.Ipvsadm("-Sn") + Explain());

            second.Stop();

            Assert.True(await Vigil.Tests.Poll.Until(() => !director.Ipvsadm("-Sn").Contains("198.51.100.18", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + Explain());
            Assert.Contains("-r 198.51.100.2:8080", director.Ipvsadm("-Sn"), StringComparison.Ordinal);
            Assert.Contains("web: real server 198.51.100.18:8080 down: connect: connection refused", Explain(), StringComparison.Ordinal);
            Assert.Contains("health: ipvs - destination 198.51.100.18:8080 of TCP 203.0.113.100:80", Explain(), StringComparison.Ordinal);

            second = Listen(real2.Name, cancel.Token);

            Assert.True(await Vigil.Tests.Poll.Until(() => director.Ipvsadm("-Sn") == Both, TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + Explain());
            Assert.True(await Vigil.Tests.Poll.Until(() => File.Exists(hooks) && File.ReadAllLines(hooks).Length == 2, TimeSpan.FromSeconds(5)), Explain());
            Assert.Equal(["down 198.51.100.18", "up 198.51.100.18"], File.ReadAllLines(hooks));
        }
        finally
        {
            IpvsGuest.Run("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            agent.WaitForExit(10_000);
            cancel.Cancel();
            first.Stop();
            second.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// keepalived's virtual_server_group: one VirtualServer stands for four kernel services (an address, a range of two,
    /// a fwmark) with one pool. A real server that stops answering leaves all four at once, and is checked once, not once
    /// per service: one "down" in the log and one notify_down.
    /// </summary>
    [Fact]
    public async Task GroupOfServices_SharesOnePool_AndEachRealServerIsCheckedOnce()
    {
        using var director = new IpvsGuest();
        using var real1 = new Vigil.Tests.TestNamespace();
        using var real2 = new Vigil.Tests.TestNamespace();
        IpvsGuest.Wire(director.Namespace, "s1", "198.51.100.1/28", real1.Name, "198.51.100.2/28", "198.51.100.1");
        IpvsGuest.Wire(director.Namespace, "s2", "198.51.100.17/28", real2.Name, "198.51.100.18/28", "198.51.100.17");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var first = Listen(real1.Name, cancel.Token);
        var second = Listen(real2.Name, cancel.Token);
        var folder = Directory.CreateTempSubdirectory("vigil-health-group-").FullName;
        var hooks = Path.Combine(folder, "hooks.log");
        File.WriteAllText(Path.Combine(folder, "cluster.yaml"), """
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: pool
            spec:
              nodes:
                - name: lb1
                  interfaces:
                    - name: s1
                      addresses: [198.51.100.1/28]
            """);
        string Real(string address) => $"""
                - address: {address}
                  healthCheck:
                    tcp: {"{}"}
                    connectTimeout: 3s
                  notify:
                    onDown: sh -c 'echo down {address} >> {hooks}'
            """;
        File.WriteAllText(Path.Combine(folder, "web.yaml"), $"""
            apiVersion: vigil/v1
            kind: VirtualServer
            metadata:
              name: web
            spec:
              group:
                name: WEB
                members:
                  - address: 203.0.113.100
                    port: 8080
                  - address: 203.0.113.101
                    lastAddress: 203.0.113.102
                    port: 8080
                  - fwmark: 5
              scheduler: rr
              forwarding: NAT
              delayLoop: 300ms
              realServers:
            {Real("198.51.100.2")}
            {Real("198.51.100.18")}
            """);
        var output = new ConcurrentQueue<string>();
        var (file, prefix) = VigilExecutable.BesideAssembly();
        using var agent = Start("ip", ["netns", "exec", director.Namespace, file, .. prefix, "agent", "--config", folder, "--node", "lb1",
            "--status-file", Path.Combine(folder, "status.json"), "--log-file", Path.Combine(folder, "agent.log")], output);
        string Explain() => string.Join('\n', output);
        static string Service(string service, params string[] reals) =>
            $"-A {service} -s rr\n" + string.Concat(reals.Select(r => $"-a {service} -r {r}:8080 -m -w 1\n"));
        string Table(params string[] reals) => Service("-f 5", reals) + Service("-t 203.0.113.100:8080", reals)
            + Service("-t 203.0.113.101:8080", reals) + Service("-t 203.0.113.102:8080", reals);
        try
        {
            var both = Table("198.51.100.18", "198.51.100.2");
            Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == both, TimeSpan.FromSeconds(30)), director.Ipvsadm("-Sn") + Explain());

            second.Stop();

            var one = Table("198.51.100.2");
            Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == one, TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + Explain());
            Assert.True(await Vigil.Tests.Poll.Until(() => File.Exists(hooks), TimeSpan.FromSeconds(5)), Explain());
            second = Listen(real2.Name, cancel.Token);
            Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == both, TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + Explain());
            Assert.Single(output, line => line.Contains("web: real server 198.51.100.18:8080 down", StringComparison.Ordinal));
            Assert.Equal(["down 198.51.100.18"], File.ReadAllLines(hooks));
        }
        finally
        {
            IpvsGuest.Run("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            agent.WaitForExit(10_000);
            cancel.Cancel();
            first.Stop();
            second.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>ipvsadm's -S lines, services in order and each one's destinations in order (the kernel's order is its own).</summary>
    private static string Sorted(string rules)
    {
        var services = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in rules.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                current = line;
                services[line] = new SortedSet<string>(StringComparer.Ordinal);
            }
            else if (current is not null)
            {
                services[current].Add(line);
            }
        }
        return string.Concat(services.Select(s => s.Key + "\n" + string.Concat(s.Value.Select(d => d + "\n"))));
    }

    /// <summary>A TCP listener on port 8080 of a namespace, accepting (and closing) until stopped.</summary>
    private static TcpListener Listen(string networkNamespace, CancellationToken cancel)
    {
        var listener = NetworkNamespace.Run(networkNamespace, () =>
        {
            var socket = new TcpListener(IPAddress.Any, 8080);
            socket.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Start();
            return socket;
        });
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    (await listener.AcceptSocketAsync(cancel)).Dispose();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }, CancellationToken.None);
        return listener;
    }

    private static Process Start(string file, string[] arguments, ConcurrentQueue<string> output)
    {
        var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
