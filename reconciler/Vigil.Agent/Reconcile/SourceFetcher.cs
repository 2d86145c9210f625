using Vigil.Source;

namespace Vigil.Agent.Reconcile;

/// <summary>
/// Fetches the source's newest revision beside the agent's worker, so that a stop or a leave asked meanwhile is not
/// held by it: a fetch ends by its own timeout, and a remote that accepts and never answers may take all of it.
/// </summary>
internal sealed class SourceFetcher(IRevisionSource source)
{
    private Task<SourceRevision>? _fetching;

    /// <summary>A fetch is under way (one left running at a stop still uses the source).</summary>
    public bool Busy => _fetching is { IsCompleted: false };

    /// <summary>
    /// The newest revision, or null when <paramref name="ending"/> came first; a fetch still running from before is
    /// waited for rather than doubled. Throws what the fetch threw.
    /// </summary>
    public SourceRevision? LatestUnless(CancellationToken ending)
    {
        var latest = Busy ? _fetching! : _fetching = Task.Run(source.Latest);
        try
        {
            latest.Wait(ending);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (AggregateException)
        {
            // The fetch's own failure, thrown as itself below.
        }
        return latest.GetAwaiter().GetResult();
    }
}
