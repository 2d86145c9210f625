using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Netlink.Ipvs;

namespace Vigil.Agent.Appliers;

/// <summary>A change the kernel refused, with its reason (the change, the errno and what it means).</summary>
public sealed record FailedIpvsChange(IpvsChange Change, string Error);

/// <summary>
/// What an apply did: every change is in exactly one list, so nothing is left half-applied silently. A change is
/// skipped when it needed a service whose creation failed.
/// </summary>
public sealed record IpvsApplyResult(IReadOnlyList<IpvsChange> Applied, IReadOnlyList<FailedIpvsChange> Failed, IReadOnlyList<IpvsChange> Skipped)
{
    public bool Succeeded => Failed.Count == 0 && Skipped.Count == 0;
}

/// <summary>Carries out an IPVS plan one request at a time, in the plan's order, and goes on past a refusal.</summary>
public static class IpvsApplier
{
    public static IpvsApplyResult Apply(IIpvsKernel kernel, IpvsPlan plan, IProgress<int>? progress = null)
    {
        var applied = new List<IpvsChange>(plan.Changes.Count);
        var failed = new List<FailedIpvsChange>();
        var skipped = new List<IpvsChange>();
        var missingServices = new HashSet<IpvsServiceKey>();
        foreach (var change in plan.Changes)
        {
            if (missingServices.Contains(change.Service))
            {
                skipped.Add(change);
            }
            else
            {
                try
                {
                    kernel.Execute(change);
                    applied.Add(change);
                }
                catch (IpvsException e)
                {
                    failed.Add(new FailedIpvsChange(change, e.Message));
                    if (change is AddService)
                    {
                        missingServices.Add(change.Service);
                    }
                }
            }
            progress?.Report(applied.Count + failed.Count + skipped.Count);
        }
        return new IpvsApplyResult(applied, failed, skipped);
    }

    /// <summary>
    /// Observe, plan, apply, observe again: the plan left after applying (empty when the kernel converged). Only
    /// services in <paramref name="owned"/> are removed (null: every one, for a namespace that is Vigil's alone); the
    /// result says what Vigil owns afterwards, to be recorded.
    /// </summary>
    public static IpvsConvergence Converge(
        IIpvsKernel kernel, IEnumerable<VirtualServerSpec> servers, RealServerHealthLookup? health = null, IProgress<int>? progress = null, IpvsOwnership? owned = null)
    {
        var list = servers as IReadOnlyCollection<VirtualServerSpec> ?? [.. servers];
        var plan = IpvsPlanner.Plan(list, kernel.Read(), health, owned);
        var result = Apply(kernel, plan, progress);
        var after = kernel.Read();
        var ownedAfter = (owned ?? IpvsOwnership.Everything).After(DesiredIpvsTable.Build(list, after, health), after);
        return new IpvsConvergence(plan, result, IpvsPlanner.Plan(list, after, health, owned), ownedAfter);
    }
}

/// <summary>One converge: the plan made, what became of each change, the plan left afterwards and what Vigil owns now.</summary>
public sealed record IpvsConvergence(IpvsPlan Plan, IpvsApplyResult Result, IpvsPlan Remaining, IpvsOwnership Owned)
{
    public void Deconstruct(out IpvsPlan plan, out IpvsApplyResult result, out IpvsPlan remaining) =>
        (plan, result, remaining) = (Plan, Result, Remaining);
}
