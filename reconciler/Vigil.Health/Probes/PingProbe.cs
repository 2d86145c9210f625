using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's PING_CHECK: an ICMP echo answered within the timeout, sent from a raw socket of its own (so that the
/// check's source address and interface apply, as keepalived's do).
/// </summary>
public sealed class PingProbe : IHealthProbe
{
    private static readonly byte[] Data = "vigil ping check"u8.ToArray();

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        var ipv6 = target.Address.AddressFamily == AddressFamily.InterNetworkV6;
        using var socket = new Socket(target.Address.AddressFamily, SocketType.Raw, ipv6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
        if (target.Source?.Bind(socket) is { } unbound) return ProbeResult.Failure(unbound);
        var identifier = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var request = new byte[IcmpEcho.HeaderSize + Data.Length];
        IcmpEcho.WriteRequest(request, ipv6, identifier, 1, Data);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await socket.SendToAsync(request, new IPEndPoint(target.Address, 0), limit.Token).ConfigureAwait(false);
            var buffer = new byte[1500];
            EndPoint any = new IPEndPoint(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (true)
            {
                // A raw socket hears every echo reply to this host: ours is the one from the target with our identifier.
                var received = await socket.ReceiveFromAsync(buffer, any, limit.Token).ConfigureAwait(false);
                if (((IPEndPoint)received.RemoteEndPoint).Address.Equals(target.Address)
                    && IcmpEcho.IsReply(buffer.AsSpan(0, received.ReceivedBytes), ipv6, identifier, 1))
                {
                    return ProbeResult.Success($"echo reply in {clock.ElapsedMilliseconds} ms");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return ProbeResult.Failure($"no echo reply within {TcpProbe.Seconds(timeout)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"ping: {TcpProbe.Describe(e)}");
        }
    }
}
