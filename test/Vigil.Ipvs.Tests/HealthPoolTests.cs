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
    /// <summary>
    /// What both tests stand on: the director's namespace in the guest, two real servers in namespaces of their own
    /// listening on 8080 (198.51.100.2 and .18), a cluster folder for node lb1, and the agent once started.
    /// </summary>
    private sealed class PoolLab : IDisposable
    {
        // First: outside the guest it skips the test before any namespace is made.
        public IpvsGuest Director { get; } = new();

        private readonly Vigil.Tests.TestNamespace _real1 = new();
        private readonly Vigil.Tests.TestNamespace _real2 = new();
        private readonly CancellationTokenSource _cancel = new(TimeSpan.FromSeconds(120));
        private readonly TcpListener _first;
        private TcpListener _second;
        private Process? _agent;

        public PoolLab()
        {
            IpvsGuest.Wire(Director.Namespace, "s1", "198.51.100.1/28", _real1.Name, "198.51.100.2/28", "198.51.100.1");
            IpvsGuest.Wire(Director.Namespace, "s2", "198.51.100.17/28", _real2.Name, "198.51.100.18/28", "198.51.100.17");
            _first = Listen(_real1.Name, _cancel.Token);
            _second = Listen(_real2.Name, _cancel.Token);
            File.WriteAllText(Path.Combine(Folder, "cluster.yaml"), """
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
        }

        public string Folder { get; } = Directory.CreateTempSubdirectory("vigil-health-pool-").FullName;

        /// <summary>Where the real servers' notify hooks write.</summary>
        public string Hooks => Path.Combine(Folder, "hooks.log");

        public ConcurrentQueue<string> Output { get; } = new();

        public string Explain() => string.Join('\n', Output);

        /// <summary>The agent in the director's namespace, on the cluster and <paramref name="virtualServer"/> (web.yaml).</summary>
        public void StartAgent(string virtualServer)
        {
            File.WriteAllText(Path.Combine(Folder, "web.yaml"), virtualServer);
            var (file, prefix) = VigilExecutable.BesideAssembly();
            _agent = Start("ip", ["netns", "exec", Director.Namespace, file, .. prefix, "agent", "--config", Folder, "--node", "lb1",
                "--status-file", Path.Combine(Folder, "status.json"), "--log-file", Path.Combine(Folder, "agent.log")], Output);
        }

        public void StopSecond() => _second.Stop();

        public void StartSecond() => _second = Listen(_real2.Name, _cancel.Token);

        public void Dispose()
        {
            if (_agent is not null)
            {
                IpvsGuest.Run("kill", ["-TERM", _agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                _agent.WaitForExit(10_000);
                _agent.Dispose();
            }
            _cancel.Cancel();
            _first.Stop();
            _second.Stop();
            _cancel.Dispose();
            Directory.Delete(Folder, recursive: true);
            _real1.Dispose();
            _real2.Dispose();
            Director.Dispose();
        }
    }

    [Fact]
    public async Task FailedRealServer_LeavesTheKernelsPool_AndReturnsWhenItAnswers()
    {
        using var lab = new PoolLab();
        string Real(string address) => $"""
                - address: {address}
                  port: 8080
                  healthCheck:
                    tcp: {"{}"}
                    connectTimeout: 3s
                  notify:
                    onDown: sh -c 'echo down {address} >> {lab.Hooks}'
                    onUp: sh -c 'echo up {address} >> {lab.Hooks}'
            """;
        lab.StartAgent($"""
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
        var director = lab.Director;
        const string Both = "-A -t 203.0.113.100:80 -s rr\n-a -t 203.0.113.100:80 -r 198.51.100.2:8080 -m -w 1\n-a -t 203.0.113.100:80 -r 198.51.100.18:8080 -m -w 1\n";

        Assert.True(await Vigil.Tests.Poll.Until(() => director.Ipvsadm("-Sn") == Both, TimeSpan.FromSeconds(30)), director.Ipvsadm("-Sn") + lab.Explain());

        lab.StopSecond();

        Assert.True(await Vigil.Tests.Poll.Until(() => !director.Ipvsadm("-Sn").Contains("198.51.100.18", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + lab.Explain());
        Assert.Contains("-r 198.51.100.2:8080", director.Ipvsadm("-Sn"), StringComparison.Ordinal);
        Assert.Contains("web: real server 198.51.100.18:8080 down: connect: connection refused", lab.Explain(), StringComparison.Ordinal);
        Assert.Contains("health: ipvs - destination 198.51.100.18:8080 of TCP 203.0.113.100:80", lab.Explain(), StringComparison.Ordinal);

        lab.StartSecond();

        Assert.True(await Vigil.Tests.Poll.Until(() => director.Ipvsadm("-Sn") == Both, TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + lab.Explain());
        Assert.True(await Vigil.Tests.Poll.Until(() => File.Exists(lab.Hooks) && File.ReadAllLines(lab.Hooks).Length == 2, TimeSpan.FromSeconds(5)), lab.Explain());
        Assert.Equal(["down 198.51.100.18", "up 198.51.100.18"], File.ReadAllLines(lab.Hooks));
    }

    /// <summary>
    /// keepalived's virtual_server_group: one VirtualServer stands for four kernel services (an address, a range of two,
    /// a fwmark) with one pool. A real server that stops answering leaves all four at once, and is checked once, not once
    /// per service: one "down" in the log and one notify_down.
    /// </summary>
    [Fact]
    public async Task GroupOfServices_SharesOnePool_AndEachRealServerIsCheckedOnce()
    {
        using var lab = new PoolLab();
        string Real(string address) => $"""
                - address: {address}
                  healthCheck:
                    tcp: {"{}"}
                    connectTimeout: 3s
                  notify:
                    onDown: sh -c 'echo down {address} >> {lab.Hooks}'
            """;
        lab.StartAgent($"""
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
        var director = lab.Director;
        static string Service(string service, params string[] reals) =>
            $"-A {service} -s rr\n" + string.Concat(reals.Select(r => $"-a {service} -r {r}:8080 -m -w 1\n"));
        static string Table(params string[] reals) => Service("-f 5", reals) + Service("-t 203.0.113.100:8080", reals)
            + Service("-t 203.0.113.101:8080", reals) + Service("-t 203.0.113.102:8080", reals);
        var both = Table("198.51.100.18", "198.51.100.2");

        Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == both, TimeSpan.FromSeconds(30)), director.Ipvsadm("-Sn") + lab.Explain());

        lab.StopSecond();

        Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == Table("198.51.100.2"), TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + lab.Explain());
        Assert.True(await Vigil.Tests.Poll.Until(() => File.Exists(lab.Hooks), TimeSpan.FromSeconds(5)), lab.Explain());
        lab.StartSecond();
        Assert.True(await Vigil.Tests.Poll.Until(() => Sorted(director.Ipvsadm("-Sn")) == both, TimeSpan.FromSeconds(10)), director.Ipvsadm("-Sn") + lab.Explain());
        Assert.Single(lab.Output, line => line.Contains("web: real server 198.51.100.18:8080 down", StringComparison.Ordinal));
        Assert.Equal(["down 198.51.100.18"], File.ReadAllLines(lab.Hooks));
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
