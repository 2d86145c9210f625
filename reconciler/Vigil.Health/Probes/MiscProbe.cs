using Vigil.Core.Desired;

namespace Vigil.Health.Probes;

/// <summary>
/// keepalived's MISC_CHECK: run a command (no shell: the words of the line are its arguments), as a user when given,
/// killed at the timeout. Exit 0 is up, 1 down; with dynamicWeight, exit 2-255 is up with weight code - 2 (keepalived's
/// misc_dynamic), otherwise any non-zero exit is down.
/// </summary>
public sealed class MiscProbe(MiscCheckSpec spec) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellation)
    {
        var exit = await ScriptProcess.RunAsync(spec.Script, spec.User, null, spec.Timeout ?? timeout, cancellation).ConfigureAwait(false);
        return exit.Code switch
        {
            0 => ProbeResult.Success(exit.Reason),
            { } code when spec.DynamicWeight && code >= 2 => ProbeResult.Success($"{exit.Reason}: weight {code - 2}", code - 2),
            _ => ProbeResult.Failure(exit.Reason),
        };
    }
}
