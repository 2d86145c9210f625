using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Security;
using Vigil.Core.Validation;
using Vigil.Source;

namespace Vigil.Agent;

/// <summary>A revision read for this node: its projection, and the whole revision (a rollout orders every node's view of it).</summary>
public sealed record LoadedRevision(NodeDesiredState Node, DesiredState State)
{
    public ClusterSpec Cluster => State.ClusterSpec;
}

/// <summary>Reads a revision whole (schema, rules) for one node, logging each diagnostic with its file and line.</summary>
public static class RevisionLoader
{
    // A new commit differs from the last in a few files: only those are read, validated and bound again.
    private static readonly DesiredStateLoader Loader = DesiredStateLoader.Incremental();

    /// <summary>
    /// The node's desired state and its Cluster, or null with the reasons when the revision is invalid, does not name this
    /// node, or (with <paramref name="scripts"/>) has a script that runs as root and could be changed by someone else.
    /// With <paramref name="scripts"/>, scripts that name no user run as the node's script user (see <see cref="ScriptRunAs"/>).
    /// A commit whose signature does not verify (<see cref="SourceRevision.Untrusted"/>) is refused too.
    /// </summary>
    public static LoadedRevision? Load(SourceRevision revision, string node, ILogger log, out IReadOnlyList<string> refusal, ScriptEnvironment? scripts = null)
    {
        // An unsigned or untrusted commit is refused as an invalid one is, before a file of it is read.
        if (revision.Untrusted is { } untrusted)
        {
            log.Error("{Revision}: {Reason}", revision.Label, untrusted);
            refusal = [untrusted];
            return null;
        }
        var result = Loader.Load(revision.Files, revision.Root);
        Log(revision, result.Diagnostics, log);
        refusal = result.State is null
            ? [.. result.Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.ToString())]
            : result.State.ClusterSpec.Nodes.Any(n => n.Name == node) ? []
            : [NodeProjection.UnknownNode(result.State.ClusterSpec, node)];
        foreach (var reason in result.State is null ? [] : refusal)
        {
            log.Error("{Revision}: {Reason}", revision.Label, reason);
        }
        if (refusal.Count > 0)
        {
            return null;
        }
        var state = result.State!;
        var runAs = scripts is null ? ScriptRunAs.Agent : ScriptRunAs.For(state.ClusterSpec.Scripts, scripts.AgentIsRoot, scripts.AccountExists);
        var projection = NodeProjection.For(state, node, runAs);
        if (scripts is not null)
        {
            var findings = ScriptSecurity.Check(NodeScripts.Of(state, projection), runAs, scripts.AgentIsRoot, scripts.Files);
            Log(revision, findings, log);
            refusal = [.. findings.Where(d => d.Severity == Severity.Error).Select(d => d.ToString())];
            if (refusal.Count > 0)
            {
                return null;
            }
        }
        return new LoadedRevision(projection, state);
    }

    private static void Log(SourceRevision revision, IEnumerable<Diagnostic> diagnostics, ILogger log)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Severity == Severity.Error)
            {
                log.Error("{Revision}: {Diagnostic}", revision.Label, diagnostic.ToString());
            }
            else
            {
                log.Warning("{Revision}: {Diagnostic}", revision.Label, diagnostic.ToString());
            }
        }
    }
}
