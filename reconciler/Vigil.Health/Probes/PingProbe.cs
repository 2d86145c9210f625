using System.Net.NetworkInformation;

namespace Vigil.Health.Probes;

/// <summary>keepalived's PING_CHECK: an ICMP echo (a raw socket as root, else the kernel's ping socket) answered within the timeout.</summary>
public sealed class PingProbe : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        using var ping = new Ping();
        try
        {
            var reply = await ping.SendPingAsync(target.Address, timeout, cancellationToken: cancellation).ConfigureAwait(false);
            return reply.Status == IPStatus.Success
                ? ProbeResult.Success($"echo reply in {reply.RoundtripTime} ms")
                : ProbeResult.Failure(reply.Status == IPStatus.TimedOut ? $"no echo reply within {TcpProbe.Seconds(timeout)}" : $"ping: {reply.Status}");
        }
        catch (PingException e)
        {
            return ProbeResult.Failure($"ping: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
