using System.Net;
using System.Net.Sockets;

namespace Vigil.Health.Probes;

/// <summary>keepalived's TCP_CHECK: the real server accepts a connection.</summary>
public sealed class TcpProbe : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        using var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (target.Source?.Bind(socket) is { } unbound) return ProbeResult.Failure(unbound);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), limit.Token).ConfigureAwait(false);
            return ProbeResult.Success("connected");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return ProbeResult.Failure($"connect timeout after {Seconds(timeout)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"connect: {Describe(e)}");
        }
    }

    internal static string Seconds(TimeSpan duration) => Vigil.Core.Desired.Durations.Format(duration);

    internal static string Describe(SocketException e) => e.SocketErrorCode is SocketError.SocketError or SocketError.OperationNotSupported ? e.Message : Describe(e.SocketErrorCode);

    internal static string Describe(SocketError error) => error switch
    {
        SocketError.AddressNotAvailable => "address not available",
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.ConnectionReset => "connection reset",
        _ => error.ToString(),
    };
}
