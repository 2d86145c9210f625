using Serilog;

namespace Vigil.Agent;

/// <summary>
/// Writes the agent's own files (status, state, history, IPVS ownership). A failure (a full or read-only disk) is
/// logged once per reason and listed as degraded until a write succeeds again; it never stops the agent, since that
/// would fail its VIPs over.
/// </summary>
public sealed class AgentFileWrites(ILogger log)
{
    private readonly Dictionary<string, string> _degraded = new(StringComparer.Ordinal);

    public void Write(string what, string path, Action write)
    {
        try
        {
            write();
            lock (_degraded)
            {
                if (_degraded.Remove(what))
                {
                    log.Information("{What} {Path} written again", what, path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_degraded)
            {
                var reason = $"{what} {path} not written: {e.Message}";
                if (!_degraded.TryGetValue(what, out var known) || known != reason)
                {
                    log.Warning("{Reason}; running on", reason);
                }
                _degraded[what] = reason;
            }
        }
    }

    /// <summary>What is not being written now, each with its reason, in a stable order.</summary>
    public List<string> Degraded()
    {
        lock (_degraded)
        {
            return [.. _degraded.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Value)];
        }
    }
}
