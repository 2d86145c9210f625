using System.Net;
using System.Net.Sockets;
using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>keepalived's DNS_CHECK: the real server answers a query for the name and type (SOA by default) with at least one record.</summary>
public sealed class DnsProbe(DnsCheckSpec spec) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        if (!DnsQuery.Types.TryGetValue(spec.Type, out var type))
        {
            return ProbeResult.Failure($"type {spec.Type} is not one of {string.Join(", ", DnsQuery.Types.Keys)}");
        }
        var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var query = new byte[512];
        var length = DnsQuery.Encode(id, spec.Name, type, query);
        using var socket = new Socket(target.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (target.Source?.Bind(socket) is { } unbound) return ProbeResult.Failure(unbound);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        var server = new IPEndPoint(target.Address, target.Port == 0 ? 53 : target.Port);
        try
        {
            await socket.SendToAsync(query.AsMemory(0, length), server, limit.Token).ConfigureAwait(false);
            var answer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveFromAsync(answer, server, limit.Token).ConfigureAwait(false);
                // Replies to other queries (or garbage) are not this check's answer: keep waiting until the timeout.
                if (!DnsQuery.TryDecode(answer.AsSpan(0, received.ReceivedBytes), out var reply) || reply.Id != id || !reply.IsResponse)
                {
                    continue;
                }
                return reply.ResponseCode != 0 ? ProbeResult.Failure($"{spec.Type} {spec.Name}: {DnsQuery.ResponseCodeName(reply.ResponseCode)}")
                    : reply.AnswerCount == 0 ? ProbeResult.Failure($"{spec.Type} {spec.Name}: no answer")
                    : ProbeResult.Success($"{spec.Type} {spec.Name}: {reply.AnswerCount} answer(s)");
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return ProbeResult.Failure($"{spec.Type} {spec.Name}: no reply within {TcpProbe.Seconds(timeout)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"{spec.Type} {spec.Name}: {TcpProbe.Describe(e)}");
        }
    }
}
