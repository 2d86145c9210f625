using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>
/// The rules a schema cannot say: references between documents, uniqueness across files, and
/// VRRP/IPVS rules that depend on more than one field. Runs only on documents that passed the schema.
/// </summary>
public static class SemanticValidator
{
    public static IReadOnlyList<Diagnostic> Validate(DesiredState state, UnreadableResources? unreadable = null)
    {
        var bag = new DiagnosticBag();
        unreadable ??= UnreadableResources.None;
        ReferenceRules.Check(state, unreadable, bag);
        // Without a Cluster, rules that read it (defaults, node addresses) would only echo that one error.
        VrrpInstanceRules.Check(state, clusterKnown: state.Cluster is not null, bag);
        VirtualServerRules.Check(state, bag);
        RoutingRules.Check(state, bag);
        return bag.Sorted();
    }
}
