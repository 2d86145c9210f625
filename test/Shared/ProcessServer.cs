using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Tests;

/// <summary>A real server from Debian's packages run for a test on loopback (dnsmasq, aiosmtpd), killed by its pid at the end; its output kept.</summary>
internal sealed class ProcessServer : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    /// <summary>What the server printed so far (aiosmtpd prints each message it receives).</summary>
    public string Output => string.Join('\n', _output);

    private ProcessServer(string file, IEnumerable<string> arguments, int port, bool tcp)
    {
        Port = port;
        _process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Ready when it listens: a TCP server accepts, a UDP one has its port bound (the kernel's socket table says so).
        var waited = Stopwatch.StartNew();
        while (!(tcp ? FreePort.Accepts(port) : FreePort.BoundUdp(port)))
        {
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                var why = _process.HasExited ? $"exited {_process.ExitCode}" : "not listening after 10 s";
                Dispose();
                throw new InvalidOperationException($"{file} on port {port}: {why}: {Output}");
            }
            Thread.Sleep(50);
        }
    }

    public int Port { get; }

    public const string Dnsmasq = "/usr/sbin/dnsmasq";
    public const string Python = "/usr/bin/python3";

    /// <summary>dnsmasq answering www.example.org with 198.51.100.5 and refusing everything else (no upstream).</summary>
    public static ProcessServer StartDns() => new(Dnsmasq,
        ["-d", $"--port={NewPort(out var port)}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
         "--conf-file=/dev/null", "--user=root", "--pid-file=", "--address=/www.example.org/198.51.100.5"], port, tcp: false);

    /// <summary>Debian's aiosmtpd, an SMTP server that accepts and prints what it gets (on <paramref name="port"/>, or a free one).</summary>
    public static ProcessServer StartSmtp(int? port = null) => port is { } given
        ? new(Python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{given}"], given, tcp: true)
        : new(Python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{NewPort(out var free)}"], free, tcp: true);

    public static string? SkipReason(string file, string package) => File.Exists(file) ? null : $"{file} is not installed (test/run installs {package})";

    private static int NewPort(out int port)
    {
        port = FreePort.Next();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}

/// <summary>Loopback ports for the servers tests start: a free one, and whether one accepts yet.</summary>
internal static class FreePort
{
    private static readonly string[] UdpTables = ["/proc/net/udp", "/proc/net/udp6"];

    public static int Next()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Whether a UDP socket is bound to <paramref name="port"/> on this machine (/proc/net/udp and udp6).</summary>
    public static bool BoundUdp(int port)
    {
        var hex = $":{port:X4} ";
        return UdpTables.Where(File.Exists)
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, ..] && (local + " ").EndsWith(hex, StringComparison.Ordinal));
    }

    public static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>Waiting for something a background job does (a check's run, a server's answer), polled every 50 ms.</summary>
internal static class Poll
{
    public static async Task<bool> Until(Func<bool> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        for (var waited = TimeSpan.Zero; waited < limit; waited += TimeSpan.FromMilliseconds(50))
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        return condition();
    }
}
