using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's UDP_CHECK: a datagram on a connected socket, so that the kernel hands back the ICMP error a closed port
/// or an unreachable host sends. Without requireReply, silence until the timeout is success (keepalived's rule: UDP has
/// no other answer to wait for); with it, a reply must come, of minReplyLength..maxReplyLength bytes, starting with the
/// reply's bytes where given (x nibbles not compared).
/// </summary>
public sealed class UdpProbe : IHealthProbe
{
    private readonly UdpCheckSpec _spec;
    private readonly byte[]? _payload;
    private readonly byte[] _reply = [];
    private readonly byte[] _ignored = [];

    public UdpProbe(UdpCheckSpec spec)
    {
        _spec = spec;
        // Validation has refused text that is not hex.
        if (spec.Payload is { } payload && HexString.TryParse(payload, false, out var bytes, out _)) _payload = bytes;
        if (spec.Reply is { } reply) HexString.TryParse(reply, true, out _reply, out _ignored);
    }

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        using var socket = new Socket(target.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (target.Source?.Bind(socket) is { } unbound) return ProbeResult.Failure(unbound);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        var buffer = new byte[Math.Max(_spec.MaxReplyLength, 1) + 1];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), limit.Token).ConfigureAwait(false);
            await socket.SendAsync(_payload ?? RandomPayload(), SocketFlags.None, limit.Token).ConfigureAwait(false);
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
            return _spec.NeedsReply ? Judge(buffer.AsSpan(0, length)) : ProbeResult.Success($"reply of {length} byte(s)");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return _spec.NeedsReply ? ProbeResult.Failure($"no reply within {TcpProbe.Seconds(timeout)}") : ProbeResult.Success("no ICMP error");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"udp: {TcpProbe.Describe(e)}");
        }
    }

    private ProbeResult Judge(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < _spec.MinReplyLength || reply.Length > _spec.MaxReplyLength)
        {
            return ProbeResult.Failure($"reply of {reply.Length} byte(s), expected {_spec.MinReplyLength} to {_spec.MaxReplyLength}");
        }
        // As keepalived: the shorter of the reply and the expected bytes is compared.
        for (var i = 0; i < Math.Min(reply.Length, _reply.Length); i++)
        {
            if (((reply[i] ^ _reply[i]) & ~_ignored[i]) != 0)
            {
                return ProbeResult.Failure($"reply differs at byte {i}: {reply[i]:x2}, expected {_reply[i]:x2}");
            }
        }
        return ProbeResult.Success($"reply of {reply.Length} byte(s)");
    }

    private static byte[] RandomPayload()
    {
        var bytes = new byte[16];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
