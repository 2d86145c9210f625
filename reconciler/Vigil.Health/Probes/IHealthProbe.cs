using System.Net;

namespace Vigil.Health.Probes;

/// <summary>
/// Where one probe goes: the real server's address and the port to use (the probe's own port, else the real server's),
/// and where from, when the check says (its bindAddress, bindPort, bindInterface).
/// </summary>
public sealed record ProbeTarget(IPAddress Address, int Port, ProbeSource? Source = null);

/// <summary>
/// One attempt's outcome: up or down with the reason an operator reads in the log ("status 503, expected 200",
/// "connect timeout after 2 s"); <see cref="Weight"/> when a misc check set one (keepalived's misc_dynamic).
/// </summary>
public sealed record ProbeResult(bool Up, string Reason, int? Weight = null)
{
    public static ProbeResult Success(string reason = "ok", int? weight = null) => new(true, reason, weight);

    public static ProbeResult Failure(string reason) => new(false, reason);
}

/// <summary>One way of asking a real server whether it serves: a TCP connect, an HTTP GET, a script...</summary>
public interface IHealthProbe
{
    /// <summary>One attempt, given up at <paramref name="timeout"/> (keepalived's connect_timeout) or when cancelled.</summary>
    Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation);
}
