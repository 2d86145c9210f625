using Vigil.Agent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Vigil.Cli.Demo;
using Vigil.Demo;
using Vigil.Cli.Output;
using Vigil.Core.Desired;

namespace Vigil.Cli.Commands;

/// <summary>
/// `vigil demo`: the main job on one machine. Builds a lab of namespaces (two nodes and a client behind a bridge),
/// runs an agent per node on the example, shows who holds the VIP, kills the master and shows the takeover and
/// what the client's pings saw, then removes everything it made.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] PingPaths = ["/usr/bin/ping", "/bin/ping"];

    public static Command Create()
    {
        var path = new Argument<string>("path")
        {
            Description = "The cluster folder to run (default examples/basic). Its first two nodes' first interface addresses are used.",
            DefaultValueFactory = _ => Path.Combine("examples", "basic"),
        };
        var command = new Command("demo",
            "Run the main job in a lab of network namespaces on this machine (needs root, iproute2 and ping): the folder becomes a local git " +
            "repository, two agents follow it; a commit adds a VIP (shown by `vigil plan`, taken by the master), a rollback commit removes it; " +
            "then a client pings the VIP, the master is killed and the backup takes over. Removes everything it made.\n" +
            "Exit codes: 0 the takeover happened, 1 it did not or the lab could not be built, 2 usage error.")
        {
            path,
        };
        command.SetAction(parse =>
        {
            var output = Terminal.ForStandardOutput(parse.InvocationConfiguration.Output);
            var error = parse.InvocationConfiguration.Error;
            var folder = parse.GetValue(path)!;
            if (!Directory.Exists(folder) && !File.Exists(folder))
            {
                error.WriteLine($"vigil: {folder}: no such file or folder (run from the repository's root, or give the path)");
                return ExitCodes.Usage;
            }
            if ((NamespaceLab.Unavailable() ?? (PingPaths.Any(File.Exists) ? null : "ping is not installed (apt-get install iputils-ping)")) is { } reason)
            {
                error.WriteLine($"vigil demo: {reason}");
                return ExitCodes.Failed;
            }
            var loaded = new Vigil.Source.DesiredStateLoader().LoadPath(folder);
            if (loaded.State is null || loaded.State.ClusterSpec.Nodes.Count < 2)
            {
                error.WriteLine($"vigil demo: {folder} is not a valid cluster of two nodes or more (see `vigil validate {folder}`)");
                return ExitCodes.Failed;
            }
            return Run(Path.GetFullPath(folder), loaded.State, output, error);
        });
        return command;
    }

    private static int Run(string folder, DesiredState state, Terminal output, TextWriter error)
    {
        var nodes = state.ClusterSpec.Nodes.Take(2).ToList();
        var instances = NodeProjection.For(state, nodes[0].Name).VrrpInstances;
        var instance = instances.Count > 0 ? instances[0] : null;
        if (instance is null || instance.VirtualAddresses.Count == 0)
        {
            error.WriteLine("vigil demo: the cluster has no VRRP instance with a virtual address");
            return ExitCodes.Failed;
        }
        var vip = instance.VirtualAddresses[0].Address.Address.ToString();
        var work = Directory.CreateTempSubdirectory("vigil-demo-").FullName;
        var say = (string text) => output.Writer.WriteLine($"{DateTime.Now:HH:mm:ss.fff}  {text}");
        say($"building the lab: namespaces vigil-demo-br (bridge), {string.Join(", ", nodes.Select(n => "vigil-demo-" + n.Name))}, vigil-demo-client");
        try
        {
            using var lab = NamespaceLab.Create("vigil-demo");
            var hosts = nodes.Select((n, i) => lab.AddHost(n.Name, n.Interfaces[0].Addresses[0].ToString(), 0x11 + i)).ToList();
            var client = lab.AddHost("client", "198.51.100.50/24", 0x50);
            using var repository = new DemoRepository(Path.Combine(work, "cluster"), folder);
            say($"made a git repository of {folder} in {repository.Path}");
            var (file, prefix) = VigilExecutable.Current();
            var agents = hosts.ToDictionary(h => h.Name, h => lab.Start(h, file,
                [.. prefix, "agent", "--repo", repository.Path, "--interval", "1s", "--state-dir", Path.Combine(work, h.Name + "-state"),
                 "--node", h.Name, "--log-file", Path.Combine(work, h.Name + ".log"), "--status-file", Path.Combine(work, h.Name + ".json")]));
            say($"started an agent per node following it (fetching every 1 s); waiting for the election (logs in {work})");

            // The election may pass through a moment where the lower priority leads (whoever started first);
            // the demo waits for its outcome: the preferred node master, the other backup.
            var preferred = hosts.First(h => NodeProjection.For(state, h.Name).VrrpInstances[0].PreferredMaster);
            var backup = hosts.First(h => h != preferred);
            var master = WaitFor(() => State(work, preferred.Name) == "Master" && lab.Holds(preferred, vip)
                && State(work, backup.Name) == "Backup" && !lab.Holds(backup, vip) ? preferred : null);
            if (master is null)
            {
                error.WriteLine($"vigil demo: {preferred.Name} did not become master within {Patience.TotalSeconds:0} s; see the logs in {work}");
                return ExitCodes.Failed;
            }
            say($"{output.Green(master.Name)} holds {vip} (master); {backup.Name} is backup");

            // GitOps: a commit adds a VIP, the plan shows it, the master takes it; a rollback (revert commit) removes it.
            var added = NextAddress(vip);
            var before = Vigil.Source.Git.GitSource.Short(repository.AddVip(vip, added));
            var committed = Stopwatch.StartNew();
            say($"commit {before}: add VIP {added}; `vigil plan --base HEAD~1` says:");
            using (var plan = new StringWriter())
            {
                VigilCommandLine.Run(["plan", "--repo", repository.Path, "--base", "HEAD~1"], plan, plan);
                foreach (var line in plan.ToString().Split('\n').Where(l => l.StartsWith("node ", StringComparison.Ordinal) || l.StartsWith("  ", StringComparison.Ordinal)))
                {
                    say("    " + line);
                }
            }
            if (WaitFor(() => lab.Holds(master, added) && !lab.Holds(backup, added) ? master : null) is null)
            {
                error.WriteLine($"vigil demo: {master.Name} did not take {added} within {Patience.TotalSeconds:0} s; see the logs in {work}");
                return ExitCodes.Failed;
            }
            say($"{output.Green(master.Name)} holds {added} {committed.ElapsedMilliseconds} ms after the commit, still master (no transition); {backup.Name} does not");
            var rollback = Vigil.Source.Git.Rollback.To(repository.Path, "HEAD~1");
            var reverted = Stopwatch.StartNew();
            say($"rollback: `vigil rollback --to HEAD~1` made commit {Vigil.Source.Git.GitSource.Short(rollback.NewHead!)} \"{rollback.Created[0].Subject}\"");
            if (WaitFor(() => !lab.Holds(master, added) && lab.Holds(master, vip) ? master : null) is null)
            {
                error.WriteLine($"vigil demo: {master.Name} did not drop {added} within {Patience.TotalSeconds:0} s; see the logs in {work}");
                return ExitCodes.Failed;
            }
            say($"{output.Green(master.Name)} dropped {added} {reverted.ElapsedMilliseconds} ms after the revert; {vip} stays");

            var replies = new List<double>();
            var ping = lab.Start(client, "ping", ["-D", "-n", "-i", "0.05", vip], line =>
            {
                if (line.StartsWith('[') && line.Contains("bytes from", StringComparison.Ordinal))
                {
                    lock (replies)
                    {
                        replies.Add(double.Parse(line[1..line.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
                    }
                }
            });
            Thread.Sleep(1000);
            say($"client 198.51.100.50 pings {vip} every 50 ms: {Count(replies)} replies so far");

            say($"the master dies: its agent is killed (SIGKILL, pid {agents[master.Name].Id}) and its eth0 unplugged");
            var killed = Stopwatch.StartNew();
            NamespaceLab.Signal(agents[master.Name], "KILL");
            lab.Unplug(master);
            var took = WaitFor(() => State(work, backup.Name) == "Master" && lab.Holds(backup, vip) ? backup : null);
            if (took is null)
            {
                error.WriteLine($"vigil demo: {backup.Name} did not take over within {Patience.TotalSeconds:0} s; see the logs in {work}");
                return ExitCodes.Failed;
            }
            say($"{output.Green(backup.Name)} took over {vip} {killed.ElapsedMilliseconds} ms after the kill " +
                $"(Master_Down_Interval {instance.AdvertInterval.TotalMilliseconds * 3 + ((256 - Priority(state, backup.Name)) * instance.AdvertInterval.TotalMilliseconds / 256):0.0} ms)");
            Thread.Sleep(1000);
            NamespaceLab.Signal(ping, "TERM");
            say($"the client's pings: {Count(replies)} replies, longest gap {LongestGap(replies):0} ms");
            say("cleaning up: stopping the agent, removing the namespaces");
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"vigil demo: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        say("done: nothing left behind");
        return ExitCodes.Ok;
    }

    /// <summary>The address after <paramref name="vip"/> (198.51.100.100 -> .101): the demo's new VIP, in the same documentation range.</summary>
    private static string NextAddress(string vip)
    {
        var bytes = System.Net.IPAddress.Parse(vip).GetAddressBytes();
        bytes[^1]++;
        return new System.Net.IPAddress(bytes).ToString();
    }

    private static int Priority(DesiredState state, string node) =>
        NodeProjection.For(state, node).VrrpInstances is { Count: > 0 } instances ? instances[0].Priority : 100;

    private static int Count(List<double> replies)
    {
        lock (replies)
        {
            return replies.Count;
        }
    }

    private static double LongestGap(List<double> replies)
    {
        lock (replies)
        {
            return replies.Zip(replies.Skip(1), (a, b) => (b - a) * 1000).DefaultIfEmpty(0).Max();
        }
    }

    private static string? State(string work, string node)
    {
        try
        {
            return StatusDocument.Read(Path.Combine(work, node + ".json")).Instances is [var first, ..] ? first.State : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static T? WaitFor<T>(Func<T?> probe) where T : class
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            if (probe() is { } found)
            {
                return found;
            }
            Thread.Sleep(20);
        }
        return null;
    }
}
