using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Vigil.Cli;
using Vigil.Demo;

namespace Vigil.Lab;

/// <summary>
/// Two nodes (ka1 198.51.100.11, ka2 .12; 2001:db8::11/12 for IPv6) and a client (.50) behind a bridge, each in
/// its own namespace; tcpdump on the bridge; Vigil agents or keepalived started in the nodes. Removes it all.
/// </summary>
public sealed class FailoverLab : IDisposable
{
    private static readonly string[] TcpdumpPaths = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"];
    private static readonly string[] KeepalivedPaths = ["/usr/sbin/keepalived", "/sbin/keepalived"];
    private static int _counter;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _output = new();

    public FailoverLab(Scenario scenario)
    {
        Scenario = scenario;
        Directory = System.IO.Directory.CreateTempSubdirectory("vigil-lab-").FullName;
        Lab = NamespaceLab.Create($"vt{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter)}");
        try
        {
            Ka1 = Lab.AddHost("ka1", "198.51.100.11/24", 0x11);
            Ka2 = Lab.AddHost("ka2", "198.51.100.12/24", 0x12);
            Client = Lab.AddHost("client", "198.51.100.50/24", 0x50);
            if (scenario.Ipv6)
            {
                Lab.AddAddress(Ka1, "2001:db8::11/64");
                Lab.AddAddress(Ka2, "2001:db8::12/64");
                Lab.AddAddress(Client, "2001:db8::50/64");
            }
            if (scenario.TrackInterface is { } tracked)
            {
                foreach (var node in new[] { Ka1, Ka2 })
                {
                    Lab.AddVethPair(node, tracked);
                }
            }
            Wire = new WireCapture(Lab);
        }
        catch
        {
            Dispose();
            throw;
        }
        ConfigFolder = WriteConfig("config", scenario);
    }

    /// <summary>Why these tests cannot run here (they skip with it), or null.</summary>
    public static string? SkipReason =>
        NamespaceLab.Unavailable()
        ?? (TcpdumpPaths.Any(File.Exists) ? null : "tcpdump is not installed (test/run installs it)");

    public static string? KeepalivedSkipReason =>
        SkipReason ?? (KeepalivedPaths.Any(File.Exists) ? null : "keepalived is not installed (test/run installs it)");

    public Scenario Scenario { get; }

    public NamespaceLab Lab { get; }

    public WireCapture Wire { get; } = null!;

    public LabHost Ka1 { get; } = null!;

    public LabHost Ka2 { get; } = null!;

    public LabHost Client { get; } = null!;

    public string Directory { get; }

    public string ConfigFolder { get; }

    /// <summary>Writes a cluster folder for <paramref name="scenario"/> and returns its path.</summary>
    public string WriteConfig(string name, Scenario scenario)
    {
        var folder = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(folder);
        string Address(string last) => scenario.Ipv6 ? $"2001:db8::{last}/64" : $"198.51.100.{last}/24";
        File.WriteAllText(Path.Combine(folder, "cluster.yaml"), $"""
            apiVersion: vigil/v1
            kind: Cluster
            metadata:
              name: lab
            spec:
              # The tests' hooks and scripts write into the lab's folder, which is root's alone.
              scripts:
                user: root
              defaults:
                interface: eth0
                vrrpVersion: {scenario.Version}
                advertInterval: {scenario.Interval}
              nodes:
                - name: ka1
                  interfaces:
                    - name: eth0
                      addresses: [{Address("11")}]
                - name: ka2
                  interfaces:
                    - name: eth0
                      addresses: [{Address("12")}]
            """);
        var optional = string.Concat(
            scenario.Transport == "unicast" ? "\n  transport: unicast" : "",
            scenario.Preempt ? "" : "\n  preempt: false",
            scenario.PreemptDelay is null ? "" : $"\n  preemptDelay: {scenario.PreemptDelay}",
            scenario.Password is null ? "" : $"\n  authentication:\n    password: {scenario.Password}",
            scenario.UseVirtualMac ? "\n  useVirtualMac: true" : "",
            scenario.TrackInterface is { } tracked ? $"\n  trackInterfaces:\n    - name: {tracked}" : "");
        File.WriteAllText(Path.Combine(folder, "vi_1.yaml"), $"""
            apiVersion: vigil/v1
            kind: VrrpInstance
            metadata:
              name: vi_1
            spec:
              virtualRouterId: 51{optional}
              members:
                - node: ka1
                  priority: 100
                - node: ka2
                  priority: 80
              virtualAddresses:
                - address: {scenario.Vip}/{(scenario.Ipv6 ? 64 : 24)}
            """);
        return folder;
    }

    public LabHost Host(string node) => Lab[node];

    /// <summary>Where a node's agent reads its cluster: --config ConfigFolder unless a test points it elsewhere (a git repository).</summary>
    public Func<string, IEnumerable<string>> VigilSource { get; set; } = null!;

    /// <summary>
    /// A folder a node's agent sees in place of another (a bind mount in the mount namespace `ip netns exec` makes for
    /// it, so the host's folders are untouched): each node has its own copy of a path the one cluster file names.
    /// </summary>
    public Dictionary<string, (string Source, string Target)> Binds { get; } = [];

    /// <summary>
    /// A folder the one cluster file can name (its path is returned), behind which each node sees its own folder,
    /// Directory/NODE (bound with <see cref="Binds"/>): a track file with a different number on each node.
    /// </summary>
    public string PerNodeFolder(string name)
    {
        var target = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(target);
        foreach (var node in new[] { "ka1", "ka2" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, node));
            Binds[node] = (Path.Combine(Directory, node), target);
        }
        return target;
    }

    public Process StartVigil(string node, string? config = null)
    {
        var (file, prefix) = VigilExecutable.BesideAssembly();
        IEnumerable<string> source = config is not null ? ["--config", config] : VigilSource?.Invoke(node) ?? ["--config", ConfigFolder];
        IEnumerable<string> command = [file, .. prefix, "agent", .. source, "--node", node,
            "--log-file", LogFile(node), "--status-file", StatusFile(node)];
        if (Binds.TryGetValue(node, out var bind))
        {
            // The shell execs the agent: the pid the lab keeps is the agent's.
            command = ["/bin/sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "bind", bind.Source, bind.Target, .. command];
        }
        return Lab.Start(Host(node), command.First(), command.Skip(1), Collect(node));
    }

    /// <summary>
    /// A node's own configuration folder, when the nodes do not share <see cref="ConfigFolder"/> (a rollout reaches
    /// one node before the other): both daemons read it at start and at each reload.
    /// </summary>
    public Dictionary<string, string> NodeConfig { get; } = [];

    /// <summary>Debian's keepalived, VRRP only, with the configuration `vigil render -o keepalived` gives for the node.</summary>
    /// <param name="edit">Changes the rendered configuration before keepalived reads it (a test's own twist, such as its initial state).</param>
    public Process StartKeepalived(string node, string? config = null, Func<string, string>? edit = null)
    {
        var conf = WriteKeepalivedConf(node, config, edit);
        return Lab.Start(Host(node), KeepalivedPaths.First(File.Exists),
            ["-n", "-l", "-D", "-P", "-G", "-f", conf, "-p", Path.Combine(Directory, node + ".keepalived.pid"), "-r", KeepalivedVrrpPidFile(node)],
            Collect(node));
    }

    /// <summary>Renders the node's keepalived.conf again (from its own folder, if it has one): what a reload reads.</summary>
    public string WriteKeepalivedConf(string node, string? config = null, Func<string, string>? edit = null)
    {
        using var rendered = new StringWriter();
        using var error = new StringWriter();
        if (VigilCommandLine.Run(["render", config ?? NodeConfig.GetValueOrDefault(node) ?? ConfigFolder, "--node", node, "--output", "keepalived"], rendered, error) != 0)
        {
            throw new InvalidOperationException(error.ToString());
        }
        var conf = Path.Combine(Directory, node + ".keepalived.conf");
        File.WriteAllText(conf, edit is null ? rendered.ToString() : edit(rendered.ToString()));
        return conf;
    }

    /// <summary>
    /// Crashes keepalived as a power cut would: its parent is frozen (so it neither respawns the VRRP child nor
    /// tells it to stop), the child is killed, then the parent.
    /// </summary>
    public void CrashKeepalived(string node, Process parent)
    {
        NamespaceLab.Signal(parent, "STOP");
        var child = File.ReadAllText(KeepalivedVrrpPidFile(node)).Trim();
        NamespaceLab.Run("kill", "-KILL", child);
        NamespaceLab.Signal(parent, "KILL");
    }

    /// <summary>Where a node's agent writes its status and its log, when not the lab's folder (a full disk, say).</summary>
    public Dictionary<string, string> FilesFolder { get; } = [];

    public string StatusFile(string node) => Path.Combine(FilesFolder.GetValueOrDefault(node, Directory), node + ".json");

    public string LogFile(string node) => Path.Combine(FilesFolder.GetValueOrDefault(node, Directory), node + ".log");

    /// <summary>The instance's entry in a Vigil agent's status file, or null while there is none.</summary>
    public JsonObject? Status(string node) => StatusDocument(node)?["instances"]?.AsArray().OfType<JsonObject>().FirstOrDefault();

    /// <summary>A Vigil agent's whole status file, or null while there is none.</summary>
    public JsonObject? StatusDocument(string node)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(StatusFile(node))) as JsonObject;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The status file's source section (commit, last error, held units), or null while there is none.</summary>
    public JsonObject? SourceStatus(string node) => StatusDocument(node)?["source"] as JsonObject;

    /// <summary>The first instance's state, read through the agent's own status contract.</summary>
    public string? State(string node) => TypedStatus(node)?.Instances is [var first, ..] ? first.State : null;

    /// <summary>A Vigil agent's status through its own contract, or null while there is none (or it is being replaced).</summary>
    public Vigil.Agent.StatusDocument? TypedStatus(string node)
    {
        try
        {
            return Vigil.Agent.StatusDocument.Read(StatusFile(node));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public string Output(string node) => _output.TryGetValue(node, out var lines) ? string.Join('\n', lines) : "";

    /// <summary>The node's output and the wire, for assertion messages.</summary>
    public string Explain() =>
        $"ka1:\n{Output("ka1")}\nka2:\n{Output("ka2")}\nwire:\n{Wire.Dump()}";

    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(20);
        }
        return true;
    }

    public string KeepalivedVrrpPidFile(string node) => Path.Combine(Directory, node + ".vrrp.pid");

    private Action<string> Collect(string node)
    {
        var lines = _output.GetOrAdd(node, _ => new ConcurrentQueue<string>());
        return lines.Enqueue;
    }

    public void Dispose()
    {
        Lab.Dispose();
        Wire?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
