using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Netlink;
using Vigil.Netlink.Ipvs;

namespace Vigil.Agent.Appliers;

/// <summary>
/// The agent's side of the kernel's IPVS table: opened when a revision first has virtual servers, converged by the
/// worker's passes, read whole by a drift check (the lock keeps that read apart from a pass). It keeps the services
/// this node's Vigil made (in the state directory): the only ones it may remove.
/// </summary>
internal sealed class NodeIpvs(INodeKernel kernel, string? ownedFile, RealServerHealthLookup health,
    ILogger log, Action<string, string, Action> persist)
{
    private readonly Lock _gate = new();
    private IIpvsKernel? _ipvs;
    private IpvsOwnership _owned = ownedFile is not null ? IpvsOwnershipFile.Load(ownedFile) : IpvsOwnership.Of([]);

    /// <summary>Runs <paramref name="read"/> with the table (null before one was opened) and what Vigil owns, apart from any pass.</summary>
    public T Read<T>(Func<IIpvsKernel?, IpvsOwnership, T> read)
    {
        lock (_gate)
        {
            return read(_ipvs, _owned);
        }
    }

    /// <summary>
    /// Brings the kernel's IPVS table to the node's virtual servers as their health checks find them, when it has any
    /// (or had: removing them all is a change too). Returns what is not applied, each with its reason; every applied
    /// change is logged with <paramref name="why"/> (the commit, or the health change).
    /// </summary>
    public List<string> Converge(string why, NodeDesiredState state)
    {
        lock (_gate)
        {
            if (state.VirtualServers.Count == 0 && _ipvs is null && _owned.Services.Count == 0)
            {
                return [];
            }
            try
            {
                _ipvs ??= kernel.OpenIpvs();
                var converged = IpvsApplier.Converge(_ipvs, state.VirtualServers.Select(v => v.Spec), health, owned: _owned);
                var (_, result, remaining) = converged;
                if (!converged.Owned.SameAs(_owned))
                {
                    _owned = converged.Owned;
                    if (ownedFile is { } file)
                    {
                        var owned = _owned;
                        persist("ipvs ownership", file, () => IpvsOwnershipFile.Save(file, owned));
                    }
                }
                foreach (var change in result.Applied)
                {
                    log.Information("{Revision}: ipvs {Change}", why, change.ToString());
                }
                var notApplied = result.Failed.Select(f => $"ipvs {f.Error}")
                    .Concat(result.Skipped.Select(s => $"ipvs {s} (skipped: its service is missing)"))
                    .Concat(remaining.Changes.Where(c => !result.Failed.Any(f => f.Change == c) && !result.Skipped.Contains(c)).Select(c => $"ipvs {c} (still differs after applying)"))
                    .ToList();
                foreach (var line in notApplied)
                {
                    log.Error("{Revision}: not applied: {Change}", why, line);
                }
                return notApplied;
            }
            catch (Exception e) when (e is IpvsUnavailableException or NetlinkException)
            {
                log.Error("{Revision}: ipvs not applied: {Error}", why, e.Message);
                return [$"ipvs: {e.Message}"];
            }
        }
    }
}
