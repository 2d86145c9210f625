using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Demo;
using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// The guide's walkthrough, end to end, with examples/mariadb-dual-master as it is shipped: two directors (ka1, ka2)
/// running `vigil agent` between a client and two of Debian's MariaDB servers in dual-master replication, LVS-NAT
/// round robin behind the VIP 198.51.100.110 and the servers' gateway 203.0.113.1 (a sync group). The real mariadb
/// client asks `select @@server_id` through the VIP: both servers answer in turn; one stops and only the other
/// answers; it returns and both answer again; the director holding the VIPs stops and the other carries on.
/// </summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class MariaDbWalkthroughTests
{
    private const string Vip = "198.51.100.110";
    private const string Gateway = "203.0.113.1";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClientsReachBothServers_ThroughOneServerDown_AndThroughADirectorStopped()
    {
        if (!GuestKernel.IsInside)
        {
            Skips.HostCopyOfGuestTest("runs inside the guest kernel, which has IPVS (GuestRunTests.InGuestKernel_GuestTestsPass boots it)");
        }
        Skips.IfMissing(MariaDbServer.SkipReason);
        var folder = Directory.CreateTempSubdirectory("vigil-mariadb-").FullName;
        var output = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        void Step(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");
        try
        {
            using var lab = NamespaceLab.Create($"mdb{Environment.ProcessId % 1000}");
            lab.AddBridge("br1");
            var client = lab.AddHost("client", "198.51.100.2/24", 2);
            var ka1 = lab.AddHost("ka1", "198.51.100.11/24", 11);
            var ka2 = lab.AddHost("ka2", "198.51.100.12/24", 12);
            lab.AddInterface(ka1, "eth1", "203.0.113.11/24", 11, "br1");
            lab.AddInterface(ka2, "eth1", "203.0.113.12/24", 12, "br1");
            var db1 = lab.AddHost("db1", "203.0.113.21/24", 21, "br1");
            var db2 = lab.AddHost("db2", "203.0.113.22/24", 22, "br1");
            foreach (var director in new[] { ka1, ka2 })
            {
                Run("ip", "netns", "exec", director.Namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            }
            // The servers answer NAT'ed clients through the directors: their gateway is the VIP that moves with the service's.
            foreach (var db in new[] { db1, db2 })
            {
                Run("ip", "-n", db.Namespace, "route", "add", "default", "via", Gateway);
            }

            var data = MariaDbServer.Install(folder);
            using var one = new MariaDbServer(lab, db1, 1, Directory.CreateDirectory(Path.Combine(folder, "db1")).FullName, data);
            using var two = new MariaDbServer(lab, db2, 2, Directory.CreateDirectory(Path.Combine(folder, "db2")).FullName, data);
            one.Start();
            two.Start();
            Replicate(one, "203.0.113.22");
            Replicate(two, "203.0.113.21");
            Step("two MariaDB servers up, replicating each other");
            var agents = new Dictionary<string, Process>
            {
                ["ka1"] = StartAgent(lab, ka1, folder, output),
                ["ka2"] = StartAgent(lab, ka2, folder, output),
            };

            string Explain() => string.Join('\n', output) + "\n" + string.Join('\n', one.Log.Concat(two.Log).TakeLast(20));
            Assert.True(await Poll.Until(() => Holds(ka1, Vip) && Holds(ka1, Gateway) && Pool(ka1).Count == 2 && Pool(ka2).Count == 2, TimeSpan.FromSeconds(90)),
                $"ka1 should hold both VIPs and both directors have both servers\n{Explain()}");
            Step("both agents running: ka1 holds the VIPs, both pools full");

            // Both servers answer in turn.
            Assert.Equal(["1", "2"], ServerIds(client, 4).Distinct().Order());
            Assert.Equal(2, ServerIds(client, 4).Count(id => id == "1"));

            // Dual master: a row written through the VIP on either server reaches the other.
            Assert.Equal(0, MariaDbServer.Query(client, Vip, "create database if not exists app; create table if not exists app.hits (id int auto_increment primary key, server int)").ExitCode);
            Assert.True(await Poll.Until(() => one.Sql("select 1 from app.hits limit 0").ExitCode == 0 && two.Sql("select 1 from app.hits limit 0").ExitCode == 0, Within), Explain());
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(0, MariaDbServer.Query(client, Vip, "insert into app.hits (server) values (@@server_id)").ExitCode);
            }
            Assert.True(await Poll.Until(() => Rows(one) == "1 2" && Rows(two) == "1 2", Within), $"{Rows(one)} / {Rows(two)}\n{Explain()}");
            Step("both servers answered in turn; each row reached the other server");

            // One database stops: only the other answers, once both directors have taken it out of the pool.
            two.Stop();
            Assert.True(await Poll.Until(() => Pool(ka1).SequenceEqual(["203.0.113.21:3306"]) && Pool(ka2).SequenceEqual(["203.0.113.21:3306"]), Within), Explain());
            Assert.Equal(["1", "1", "1", "1"], ServerIds(client, 4));
            Step("server 2 stopped: out of both pools, only server 1 answers");

            // It returns: both answer again.
            two.Start();
            Assert.True(await Poll.Until(() => Pool(ka1).Count == 2 && Pool(ka2).Count == 2, Within), Explain());
            Assert.Equal(["1", "2"], ServerIds(client, 4).Distinct().Order());
            Step("server 2 back: both answer");

            // The director holding the VIPs stops (as its service would: SIGTERM); the other takes both and carries on.
            NamespaceLab.Signal(agents["ka1"], "TERM");
            Assert.True(agents["ka1"].WaitForExit(TimeSpan.FromSeconds(30)), Explain());
            Assert.True(await Poll.Until(() => Holds(ka2, Vip) && Holds(ka2, Gateway) && !Holds(ka1, Vip), Within), Explain());
            Assert.Equal(["1", "2"], ServerIds(client, 4).Distinct().Order());
            Step("ka1 stopped: ka2 holds both VIPs, both servers answer through it");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Replication from the other server, with the users made outside the binary log (each server has its own).</summary>
    private static void Replicate(MariaDbServer server, string other)
    {
        var (exitCode, text) = server.Sql($"""
            set sql_log_bin = 0;
            create user 'app'@'%' identified by 'app'; grant all on *.* to 'app'@'%';
            create user 'repl'@'%' identified by 'repl'; grant replication slave on *.* to 'repl'@'%';
            set sql_log_bin = 1;
            change master to master_host = '{other}', master_user = 'repl', master_password = 'repl', master_use_gtid = slave_pos;
            start slave;
            """);
        Assert.True(exitCode == 0, text);
    }

    private static Process StartAgent(NamespaceLab lab, LabHost director, string folder, ConcurrentQueue<string> output)
    {
        var (file, prefix) = VigilExecutable.BesideAssembly();
        return lab.Start(director, file, [.. prefix, "agent", "--config", Path.Combine(RepoPaths.Examples, "mariadb-dual-master"), "--node", director.Name,
            "--status-file", Path.Combine(folder, director.Name + ".json"), "--log-file", Path.Combine(folder, director.Name + ".log")],
            line => output.Enqueue($"{director.Name}: {line}"));
    }

    private static List<string> ServerIds(LabHost client, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => MariaDbServer.Query(client, Vip, "select @@server_id")).Select(r => r.ExitCode == 0 ? r.Output.Trim() : $"error: {r.Output.Trim()}")];

    private static string Rows(MariaDbServer server) =>
        string.Join(' ', server.Sql("select server from app.hits order by server").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static bool Holds(LabHost host, string address) =>
        NamespaceLab.Run("ip", "-n", host.Namespace, "-o", "addr", "show").Output.Contains($" {address}/", StringComparison.Ordinal);

    /// <summary>The real servers of the director's IPVS service, as ipvsadm lists them.</summary>
    private static List<string> Pool(LabHost director) =>
        [.. NamespaceLab.Run("ip", "netns", "exec", director.Namespace, "ipvsadm", "-Ln", "-t", $"{Vip}:3306").Output.Split('\n')
            .Select(line => line.Trim()).Where(line => line.StartsWith("-> 203.", StringComparison.Ordinal)).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Order()];

    private static void Run(string file, params string[] arguments)
    {
        var (exitCode, text) = NamespaceLab.Run(file, arguments);
        Assert.True(exitCode == 0, $"{file} {string.Join(' ', arguments)}: {text}");
    }
}
