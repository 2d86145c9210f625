using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Benchmarks;

/// <summary>
/// The health benchmark's TCP listeners, in a process of their own, so that neither checker's CPU includes the
/// accepts they cause (issue 19: the benchmark charged Vigil for them and not keepalived). The child prints its
/// ports, then answers each line on its input with its accepts so far and its own CPU time; it ends with its input.
/// </summary>
internal sealed class HealthListeners : IDisposable
{
    public const string Command = "health-listeners";

    private readonly Process _child;

    public HealthListeners(int count)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Vigil.Benchmarks"), [Command, "--count", count.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        _child = Process.Start(start)!;
        Ports = [.. (_child.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the listeners' process printed no ports"))
            .Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Accepts so far and the listeners' CPU time so far.</summary>
    public (long Accepted, TimeSpan Cpu) Sample()
    {
        _child.StandardInput.WriteLine("sample");
        var answer = (_child.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the listeners' process ended")).Split(' ');
        return (long.Parse(answer[0], CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(double.Parse(answer[1], CultureInfo.InvariantCulture)));
    }

    public void Dispose()
    {
        _child.StandardInput.Close();
        if (!_child.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _child.Kill();
        }
        _child.Dispose();
    }

    /// <summary>The child's side: <paramref name="count"/> listeners on loopback until its input ends.</summary>
    public static int Serve(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start(backlog: 4096));
        using var stopping = new CancellationTokenSource();
        var accepted = 0L;
        var acceptors = listeners.Select(l => Task.Run(async () =>
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    (await l.AcceptSocketAsync(stopping.Token)).Dispose();
                    Interlocked.Increment(ref accepted);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        })).ToList();
        Console.WriteLine(string.Join(' ', listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)));
        var self = Process.GetCurrentProcess();
        while (Console.ReadLine() is not null)
        {
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Read(ref accepted)} {self.TotalProcessorTime.TotalMilliseconds:0.###}"));
        }
        stopping.Cancel();
        listeners.ForEach(l => l.Stop());
        Task.WaitAll([.. acceptors], TimeSpan.FromSeconds(5));
        return 0;
    }
}
