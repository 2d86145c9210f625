using Vigil.Core.Observed;

namespace Vigil.Core.Planning;

/// <summary>
/// Which of the kernel's IPVS services Vigil may remove: those it made for a configuration, never another tool's
/// (kube-proxy's, Docker's, an operator's). keepalived removes only what it created; so does Vigil. A service removed
/// from git is still removed, because Vigil recorded that it owned it.
/// </summary>
public sealed class IpvsOwnership
{
    private readonly HashSet<IpvsServiceKey>? _services;

    private IpvsOwnership(HashSet<IpvsServiceKey>? services) => _services = services;

    /// <summary>Every service in the table is Vigil's: a network namespace made for a test or a benchmark, nothing else.</summary>
    public static IpvsOwnership Everything { get; } = new(null);

    public static IpvsOwnership Of(IEnumerable<IpvsServiceKey> services) => new([.. services]);

    /// <summary>The services owned, in the kernel's own spelling order; empty for <see cref="Everything"/>.</summary>
    public IReadOnlyList<IpvsServiceKey> Services => _services is null ? [] : [.. _services.OrderBy(k => k.ToString(), StringComparer.Ordinal)];

    public bool Owns(IpvsServiceKey service) => _services is null || _services.Contains(service);

    /// <summary>
    /// What Vigil owns once a table was applied: every desired service, and those it owned that the kernel still has
    /// (a removal that failed is tried again next time).
    /// </summary>
    public IpvsOwnership After(IpvsTable desired, IpvsTable observed) => _services is null
        ? this
        : Of(desired.Services.Select(s => s.Key).Concat(_services.Where(k => observed.Find(k) is not null)));

    public bool SameAs(IpvsOwnership other) =>
        (_services is null && other._services is null) || (_services is not null && other._services is not null && _services.SetEquals(other._services));
}
