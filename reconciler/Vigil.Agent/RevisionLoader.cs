using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Source;

namespace Vigil.Agent;

/// <summary>A revision read for this node: its projection and the Cluster it belongs to.</summary>
public sealed record LoadedRevision(NodeDesiredState Node, ClusterSpec Cluster);

/// <summary>Reads a revision whole (schema, rules) for one node, logging each diagnostic with its file and line.</summary>
public static class RevisionLoader
{
    /// <summary>The node's desired state and its Cluster, or null with the reasons when the revision is invalid or does not name this node.</summary>
    public static LoadedRevision? Load(SourceRevision revision, string node, ILogger log, out IReadOnlyList<string> refusal)
    {
        var result = new DesiredStateLoader().Load(revision.Files);
        foreach (var diagnostic in result.Diagnostics)
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
        refusal = result.State is null
            ? [.. result.Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.ToString())]
            : result.State.ClusterSpec.Nodes.Any(n => n.Name == node) ? []
            : [NodeProjection.UnknownNode(result.State.ClusterSpec, node)];
        foreach (var reason in result.State is null ? [] : refusal)
        {
            log.Error("{Revision}: {Reason}", revision.Label, reason);
        }
        return refusal.Count == 0 ? new LoadedRevision(NodeProjection.For(result.State!, node), result.State!.ClusterSpec) : null;
    }
}
