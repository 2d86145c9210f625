using System.Text.Json;
using Vigil.Core.Planning;
using Vigil.Source.Git;
using Vigil.Vrrp.Engine;

namespace Vigil.Agent;

/// <summary>
/// What the node runs of its source and what it knows of it: the running commit, the last fetched and last good
/// ones, the last error (a fetch failure, or a refused commit with its file:line), and what is not applied.
/// <see cref="AttemptedAt"/> changes on every reconcile, whatever came of it (`vigil reconcile` waits for it).
/// </summary>
public sealed record SourceStatus(
    string Location,
    string? Commit,
    string? Subject,
    string? LastFetched,
    string? LastGood,
    string? LastError,
    string? LastErrorCommit,
    ReconcileOutcome? LastOutcome,
    DateTimeOffset? ReconciledAt,
    DateTimeOffset? AttemptedAt,
    double? LastDurationMilliseconds,
    IReadOnlyList<string> NotApplied)
{
    /// <summary>For git, the repository's folder the YAML is read from ("" for the root): with the clone, the running revision can be read back.</summary>
    public string? Folder { get; init; }

    /// <summary>Units kept at an earlier commit by fault isolation.</summary>
    public IReadOnlyList<Vigil.Source.HeldUnit> HeldUnits { get; init; } = [];

    /// <summary>Who signed the running commit, when the agent verifies signatures (--verify-commits).</summary>
    public string? SignedBy { get; init; }
}

/// <summary>The instances a previous run of the agent was master of, and the last time it said so (its status file's write).</summary>
public sealed record PreviousRun(IReadOnlyList<PreviousMaster> Masters, DateTimeOffset LastWritten);

/// <summary>An instance the previous run was master of, and where it spoke (empty interface: an older status file).</summary>
public sealed record PreviousMaster(string Name, string Interface, int VirtualRouterId, bool Ipv6);

/// <summary>What a running agent reports about itself; written as JSON for `vigil status` to read.</summary>
public sealed record AgentStatus(
    string Node,
    SourceStatus Source,
    int ProcessId,
    DateTimeOffset StartedAt,
    DateTimeOffset LoadedAt,
    IReadOnlyList<VirtualRouterStatus> Instances,
    IReadOnlyList<AddressDrift> AddressDrift,
    IReadOnlyDictionary<AddressDriftKind, long> AddressDriftCounts)
{
    /// <summary>The last periodic drift check, once one ran.</summary>
    public DriftReport? Drift { get; init; }

    /// <summary>Each vrrp_script's state: OK or failing, and why.</summary>
    public IReadOnlyDictionary<string, (bool Healthy, string Reason)> VrrpScripts { get; init; } = new Dictionary<string, (bool, string)>();

    /// <summary>What the agent runs without for now (a file it cannot write: a full disk), each with why; empty when nothing.</summary>
    public IReadOnlyList<string> Degraded { get; init; } = [];

    /// <summary>Each instance of the running revision's conditions (Ready, Progressing, Stalled), by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<InstanceCondition>> Conditions { get; init; } = new Dictionary<string, IReadOnlyList<InstanceCondition>>();

    /// <summary>How the worker's last pass ended: done, retry after a delay, or stalled, with why.</summary>
    public Reconcile.PassResult? LastPass { get; init; }

    /// <summary>Where the cluster's agents serve their status to each other (Cluster peerStatus), for `vigil status --cluster`.</summary>
    public PeerStatusDocument? Peers { get; init; }

    /// <summary>The last rollout decision (Cluster rollout.waitForPeers), or null.</summary>
    public RolloutDocument? Rollout { get; init; }

    /// <summary>Each checked real server's health: up or down, why, since when.</summary>
    public IReadOnlyList<Vigil.Health.RealServerState> RealServers { get; init; } = [];

    /// <summary>
    /// The status file's format. Fields are only ever added within one version; a reader refuses a newer one (an agent
    /// upgraded beside an older `vigil status`) rather than misread it. A file without one is version 1.
    /// </summary>
    public const int FormatVersion = 1;

    /// <summary>The status as the versioned contract every reader takes (<see cref="StatusDocument"/>).</summary>
    public StatusDocument ToDocument() => new()
    {
        Node = Node,
        ConfigPath = Source.Location,
        Source = new SourceDocument
        {
            Location = Source.Location,
            Folder = Source.Folder,
            Commit = Source.Commit,
            Subject = Source.Subject,
            LastFetched = Source.LastFetched,
            LastGood = Source.LastGood,
            LastError = Source.LastError,
            LastErrorCommit = Source.LastErrorCommit,
            LastOutcome = Source.LastOutcome is { } outcome ? CamelCase(outcome) : null,
            ReconciledAt = Source.ReconciledAt,
            AttemptedAt = Source.AttemptedAt,
            LastDurationMs = Source.LastDurationMilliseconds,
            NotApplied = Source.NotApplied,
            HeldUnits = [.. Source.HeldUnits.Select(h => new HeldUnitDocument(h.Unit, h.Commit, h.Reason))],
            SignedBy = Source.SignedBy,
            LastPass = LastPass is null ? null : new PassDocument(CamelCase(LastPass.Ending), LastPass.Reason,
                LastPass.Ending == Reconcile.PassResult.Kind.RetryAfter ? LastPass.RetryAfter.TotalSeconds : null),
        },
        Peers = Peers,
        Rollout = Rollout,
        Pid = ProcessId,
        StartedAt = StartedAt,
        LoadedAt = LoadedAt,
        Instances = [.. Instances.Select(InstanceOf)],
        Conditions = Conditions.ToDictionary(c => c.Key, c => (IReadOnlyList<ConditionDocument>)[.. c.Value.Select(v => new ConditionDocument(v.Type, v.Status, v.Reason))], StringComparer.Ordinal),
        Degraded = Degraded,
        AddressDriftCounts = AddressDriftCounts.ToDictionary(c => CamelCase(c.Key), c => c.Value, StringComparer.Ordinal),
        AddressDrift = [.. AddressDrift.Select(d => new AddressDriftDocument(CamelCase(d.Kind), d.Instance, d.Event.Added ? "added" : "removed",
            $"{d.Event.Address.Address}/{d.Event.Address.PrefixLength}", d.Event.Address.InterfaceIndex, d.At))],
        VrrpScripts = new SortedDictionary<string, VrrpScriptDocument>(VrrpScripts.ToDictionary(v => v.Key, v => new VrrpScriptDocument(v.Value.Healthy, v.Value.Reason)), StringComparer.Ordinal),
        RealServers = [.. RealServers.Select(r => new RealServerDocument(r.VirtualServer, r.RealServer, r.Up, r.Reason, r.Weight, r.Since))],
        Drift = Drift is null ? null : new DriftDocument
        {
            CheckedAt = Drift.CheckedAt,
            Mode = CamelCase(Drift.Mode),
            Items = [.. Drift.Items.Select(i => new DriftItemDocument(CamelCase(i.Kind), i.Subject, i.Detail, i.Correctable))],
            Corrected = Drift.Corrected,
            Totals = Drift.Totals.ToDictionary(t => CamelCase(t.Key), t => t.Value, StringComparer.Ordinal),
        },
    };

    private static string CamelCase<T>(T value) where T : Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static InstanceDocument InstanceOf(VirtualRouterStatus s) => new()
    {
        Name = s.Name,
        Interface = s.Interface,
        VirtualRouterId = s.VirtualRouterId,
        Ipv6 = s.Ipv6,
        State = s.State.ToString(),
        Priority = s.Priority,
        MasterSeen = s.MasterSeen?.ToString(),
        Since = s.Since,
        Reason = s.Reason,
        AdvertisementsSent = s.AdvertisementsSent,
        AdvertisementsReceived = s.AdvertisementsReceived,
        AddressListMismatches = s.AddressListMismatches,
        LastAddressListMismatch = s.LastAddressListMismatch,
        ToleratedAdverts = s.ToleratedAdverts,
        ToleratingUntil = s.ToleratingUntil,
        KernelDropsBelow = s.KernelDropsBelow,
        BecameMaster = s.BecameMaster,
        Dropped = s.Dropped.ToDictionary(d => CamelCase(d.Key), d => d.Value, StringComparer.Ordinal),
        RoutersHeard = [.. s.Routers.Select(r => new RouterHeardDocument(r.Address.ToString(), r.Priority, r.Adverts, r.WhileMaster, r.LastSeen))],
    };

    /// <summary>
    /// What a previous run left in its status file, when that run is gone (crashed, or left for a restart): the
    /// instances it recorded as master and when it last wrote the file; null when there is no such file or its agent
    /// still runs.
    /// </summary>
    public static PreviousRun? LeftBy(string path)
    {
        try
        {
            var previous = StatusDocument.Read(path);
            if (previous.Pid != Environment.ProcessId && IsRunning(previous.Pid))
            {
                return null;
            }
            var masters = previous.Instances.Where(i => i.State == "Master")
                .Select(i => new PreviousMaster(i.Name, i.Interface, i.VirtualRouterId, i.Ipv6))
                .ToList();
            return new PreviousRun(masters, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // none, or one this vigil cannot read: nothing to resume from
        }
    }

    /// <summary>
    /// Whether the process a status file names is still a running vigil agent: the file outlives a crashed agent, and
    /// its pid may since belong to another process, which must never be signalled or taken for the agent.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}/cmdline").Split('\0');
            return IsAgentCommandLine(arguments);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone (or never readable): not an agent this command may signal
        }
    }

    /// <summary>`vigil agent ...` or `dotnet vigil.dll agent ...`: the executable or assembly named vigil, then the verb.</summary>
    public static bool IsAgentCommandLine(IReadOnlyList<string> arguments)
    {
        var program = arguments.Select((argument, i) => (Name: Path.GetFileName(argument), i))
            .FirstOrDefault(a => a.Name is "vigil" or "vigil.dll");
        return program.Name is not null && arguments.Skip(program.i + 1).FirstOrDefault() == "agent";
    }

    /// <summary>Writes beside and renames, so a reader never sees half a file.</summary>
    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, ToDocument().ToJsonText());
        File.Move(temporary, path, overwrite: true);
    }
}
