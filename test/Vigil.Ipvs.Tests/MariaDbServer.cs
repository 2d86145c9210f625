using System.Diagnostics;
using System.Globalization;
using Vigil.Demo;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// Debian's MariaDB server (mariadb-server-core, which test/run installs; it starts no service) in a lab host's
/// namespace, with a data folder of its own made by mariadb-install-db, listening on 3306 with binary logs for
/// replication. Small buffers: the guest has little memory. Stopped with SIGTERM as its service would be.
/// </summary>
internal sealed class MariaDbServer : IDisposable
{
    public const string Daemon = "/usr/sbin/mariadbd";
    private const string Client = "/usr/bin/mariadb";

    private readonly NamespaceLab _lab;
    private readonly LabHost _host;
    private readonly string[] _arguments;
    private Process? _process;

    private static readonly string[] Small =
        ["--innodb-buffer-pool-size=16M", "--innodb-buffer-pool-size-max=16M", "--innodb-log-file-size=4M", "--innodb-use-native-aio=0", "--performance-schema=OFF"];

    /// <param name="data">A data folder made by <see cref="Install"/>, copied: the system tables are the same for every server.</param>
    public MariaDbServer(NamespaceLab lab, LabHost host, int serverId, string folder, string data)
    {
        (_lab, _host, ServerId) = (lab, host, serverId);
        Folder = folder;
        var own = Path.Combine(folder, "data");
        var (exitCode, output) = NamespaceLab.Run("cp", "-a", data, own);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"cp: {output}");
        }
        _arguments = ["--no-defaults", $"--datadir={own}", "--user=root", $"--server-id={serverId}", "--port=3306", "--bind-address=0.0.0.0",
            $"--socket={Socket}", $"--pid-file={Path.Combine(folder, "mariadbd.pid")}", "--skip-name-resolve", "--max-connections=20",
            $"--log-bin={Path.Combine(folder, "binlog")}", "--log-slave-updates", "--auto-increment-increment=2",
            $"--auto-increment-offset={serverId}", .. Small];
    }

    /// <summary>A data folder with MariaDB's system tables (mariadb-install-db; root by its socket, no test database).</summary>
    public static string Install(string folder)
    {
        var data = Path.Combine(folder, "template");
        var (exitCode, output) = NamespaceLab.Run("/usr/bin/mariadb-install-db", ["--no-defaults", $"--datadir={data}", "--user=root",
            "--auth-root-authentication-method=socket", "--skip-test-db", .. Small]);
        return exitCode == 0 ? data : throw new InvalidOperationException($"mariadb-install-db: {output}");
    }

    public static string? SkipReason => File.Exists(Daemon) && File.Exists(Client)
        ? null : "mariadb-server-core and mariadb-client are not installed (test/run installs them)";

    public int ServerId { get; }

    public string Folder { get; }

    public string Socket => Path.Combine(Folder, "mariadbd.sock");

    public List<string> Log { get; } = [];

    /// <summary>Starts the server and waits until it answers on its socket.</summary>
    public void Start()
    {
        _process = _lab.Start(_host, Daemon, _arguments, line => { lock (Log) Log.Add(line); });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Sql("select 1").ExitCode != 0)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"mariadbd {ServerId} did not start:\n{string.Join('\n', Log)}");
            }
            Thread.Sleep(200);
        }
    }

    /// <summary>Stops the server as its service does (SIGTERM) and waits for it to end.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } running)
        {
            NamespaceLab.Signal(running, "TERM");
            running.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>SQL as root through the server's own socket (the test's administration, not a client's path).</summary>
    public (int ExitCode, string Output) Sql(string statements) =>
        NamespaceLab.Run(Client, "--no-defaults", $"--socket={Socket}", "-u", "root", "-N", "-B", "-e", statements);

    /// <summary>The real mariadb client in <paramref name="client"/>'s namespace, as an application user over TCP.</summary>
    public static (int ExitCode, string Output) Query(LabHost client, string host, string statements) =>
        NamespaceLab.Run("ip", "netns", "exec", client.Namespace, "env", "MYSQL_PWD=app", Client, "--no-defaults", "-h", host, "-u", "app",
            "--connect-timeout=5", "-N", "-B", "-e", statements);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"mariadbd {ServerId} on {_host.Name}");

    public void Dispose() => Stop();
}
