using Serilog;
using Vigil.Netlink;
using Vigil.Netlink.Rtnetlink;

namespace Vigil.Agent;

/// <summary>
/// The one owner of the routes and rules Vigil puts on the kernel: the node's static ones always, each instance's
/// virtual ones while it is master. Level-based: every pass compares what <see cref="RoutingApplier"/>'s source says
/// is wanted now with the kernel's entries marked with Vigil's protocol, adds what is missing and deletes what is
/// Vigil's and no longer wanted; anything not marked as Vigil's is never touched. Passes run on the applier's own
/// <see cref="PassThread"/>, asked for by <see cref="Poke"/> (a transition, a reload, a drift check); a route whose
/// add the kernel refuses at first (its source is a VIP that is being added at that moment) is tried again a few
/// times, 100 ms apart.
/// </summary>
public sealed class RoutingApplier : IDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(100);
    private const int Retries = 20;

    private readonly IRoutingTable _kernel;
    private readonly IAddressTable _addresses;
    // The static addresses this agent has put on: the kernel marks no address as Vigil's, so these are the ones it removes.
    private readonly HashSet<(int Interface, System.Net.IPAddress Address, int PrefixLength)> _owned = [];
    private readonly Func<RoutingEntries> _wanted;
    private readonly ILogger _log;
    private readonly PassThread _passes;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private volatile string[] _problems = [];

    public RoutingApplier(IRoutingTable kernel, IAddressTable addresses, Func<RoutingEntries> wanted, ILogger log)
    {
        _kernel = kernel;
        _addresses = addresses;
        _wanted = wanted;
        _log = log;
        _passes = new PassThread("routes", () => Converge().Count == 0, RetryAfter, Retries);
    }

    /// <summary>What the last pass could not bring about, one line each (for the status' notApplied); empty when all is in place.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Asks for a pass; cheap, never waits.</summary>
    public void Poke() => _passes.Poke();

    /// <summary>
    /// One pass now, on the caller's thread, to <paramref name="wanted"/> or else what the source says (the agent's
    /// stop clears everything, as keepalived's does): returns what it could not do.
    /// </summary>
    public IReadOnlyList<string> Converge(RoutingEntries? wanted = null)
    {
        wanted ??= _wanted();
        var problems = wanted.Problems.ToList();
        try
        {
            var routes = _kernel.Routes().Where(r => r.Protocol == RouteMessages.VigilProtocol).ToList();
            var rules = _kernel.Rules().Where(r => r.Protocol == RouteMessages.VigilProtocol).ToList();
            // Rules before the routes they lead to go; routes before the rules that lead to them come.
            foreach (var rule in rules.Where(o => !wanted.Rules.Any(w => w.Matches(o))))
            {
                Change(() => _kernel.Delete(rule), $"delete rule {rule}", problems);
            }
            foreach (var route in routes.Where(o => !wanted.Routes.Any(w => w.Matches(o))))
            {
                Change(() => _kernel.Delete(route), $"delete route {route}", problems);
            }
            var keep = wanted.Addresses.Select(a => (a.InterfaceIndex, a.Address, a.PrefixLength)).ToHashSet();
            foreach (var gone in _owned.Where(o => !keep.Contains(o)).ToList())
            {
                Change(() => _addresses.Delete(new InterfaceAddress(gone.Interface, gone.Address, gone.PrefixLength, 0, null)), $"delete static address {gone.Address}/{gone.PrefixLength}", problems);
                _owned.Remove(gone);
            }
            foreach (var address in wanted.Addresses)
            {
                _owned.Add((address.InterfaceIndex, address.Address, address.PrefixLength));
                // Add is true only when the address was not there: an unchanged pass logs nothing.
                Change(() => _addresses.Add(address), $"add static address {address.Address}/{address.PrefixLength}", problems, logUnchanged: false);
            }
            foreach (var route in wanted.Routes.Where(w => !routes.Any(w.Matches)))
            {
                Change(() => _kernel.Add(route), $"add route {route}", problems);
            }
            foreach (var rule in wanted.Rules.Where(w => !rules.Any(w.Matches)))
            {
                Change(() => _kernel.Add(rule), $"add rule {rule}", problems);
            }
        }
        catch (NetlinkException e)
        {
            problems.Add($"routes and rules not read: {e.Message}");
        }
        Report(problems);
        _problems = [.. problems];
        return problems;
    }

    private void Change(Func<bool> change, string what, List<string> problems, bool logUnchanged = true)
    {
        try
        {
            if (change() || logUnchanged)
            {
                _log.Information("routing: {Change}", what);
            }
        }
        catch (NetlinkException e)
        {
            problems.Add($"{what}: {e.Message}");
        }
    }

    /// <summary>Each problem logged once while it lasts, and its end once.</summary>
    private void Report(List<string> problems)
    {
        foreach (var problem in problems.Where(_reported.Add))
        {
            _log.Warning("routing: {Problem}", problem);
        }
        foreach (var gone in _reported.Where(r => !problems.Contains(r)).ToList())
        {
            _reported.Remove(gone);
            _log.Information("routing: done now: {Problem}", gone);
        }
    }

    public void Dispose() => _passes.Dispose();
}
