using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>Each checked real server's health: up or down, why, since when.</summary>
    public IReadOnlyList<Vigil.Health.RealServerState> RealServers { get; init; } = [];

    /// <summary>
    /// The status file's format. Fields are only ever added within one version; a reader refuses a newer one (an agent
    /// upgraded beside an older `vigil status`) rather than misread it. A file without one is version 1.
    /// </summary>
    public const int FormatVersion = 1;

    /// <summary>Why a status document cannot be read by this vigil, or null when it can.</summary>
    public static string? Unreadable(JsonObject status) => (int?)status["version"] is { } version && version > FormatVersion
        ? $"status format {version} was written by a newer vigil; this one reads format {FormatVersion}"
        : null;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonObject ToJson() => new()
    {
        ["version"] = FormatVersion,
        ["node"] = Node,
        ["configPath"] = Source.Location,
        ["source"] = new JsonObject
        {
            ["location"] = Source.Location,
            ["folder"] = Source.Folder,
            ["commit"] = Source.Commit,
            ["subject"] = Source.Subject,
            ["lastFetched"] = Source.LastFetched,
            ["lastGood"] = Source.LastGood,
            ["lastError"] = Source.LastError,
            ["lastErrorCommit"] = Source.LastErrorCommit,
            ["lastOutcome"] = Source.LastOutcome is { } outcome ? CamelCase(outcome) : null,
            ["reconciledAt"] = Source.ReconciledAt,
            ["attemptedAt"] = Source.AttemptedAt,
            ["lastDurationMs"] = Source.LastDurationMilliseconds,
            ["notApplied"] = new JsonArray([.. Source.NotApplied.Select(n => (JsonNode?)n)]),
            ["lastPass"] = LastPass is null ? null : new JsonObject
            {
                ["result"] = CamelCase(LastPass.Ending),
                ["reason"] = LastPass.Reason,
                ["retryAfterSeconds"] = LastPass.Ending == Reconcile.PassResult.Kind.RetryAfter ? LastPass.RetryAfter.TotalSeconds : null,
            },
        },
        ["conditions"] = new JsonObject([.. Conditions.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)new JsonArray([.. c.Value.Select(v => (JsonNode)new JsonObject
        {
            ["type"] = v.Type,
            ["status"] = v.Status,
            ["reason"] = v.Reason,
        })])))]),
        ["pid"] = ProcessId,
        ["startedAt"] = StartedAt,
        ["loadedAt"] = LoadedAt,
        ["instances"] = new JsonArray([.. Instances.Select(InstanceJson)]),
        ["degraded"] = new JsonArray([.. Degraded.Select(d => (JsonNode?)d)]),
        ["addressDriftCounts"] = new JsonObject([.. AddressDriftCounts.Select(c => KeyValuePair.Create(CamelCase(c.Key), (JsonNode?)c.Value))]),
        ["addressDrift"] = new JsonArray([.. AddressDrift.Select(DriftJson)]),
        ["vrrpScripts"] = new JsonObject([.. VrrpScripts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => KeyValuePair.Create(v.Key,
            (JsonNode?)new JsonObject { ["ok"] = v.Value.Healthy, ["reason"] = v.Value.Reason }))]),
        ["realServers"] = new JsonArray([.. RealServers.Select(r => (JsonNode)new JsonObject
        {
            ["virtualServer"] = r.VirtualServer,
            ["realServer"] = r.RealServer,
            ["up"] = r.Up,
            ["reason"] = r.Reason,
            ["weight"] = r.Weight,
            ["since"] = r.Since,
        })]),
        ["drift"] = Drift is null ? null : new JsonObject
        {
            ["checkedAt"] = Drift.CheckedAt,
            ["mode"] = CamelCase(Drift.Mode),
            ["items"] = new JsonArray([.. Drift.Items.Select(i => (JsonNode)new JsonObject
            {
                ["kind"] = CamelCase(i.Kind),
                ["subject"] = i.Subject,
                ["detail"] = i.Detail,
                ["correctable"] = i.Correctable,
            })]),
            ["corrected"] = new JsonArray([.. Drift.Corrected.Select(c => (JsonNode?)c)]),
            ["totals"] = new JsonObject([.. Drift.Totals.Select(t => KeyValuePair.Create(CamelCase(t.Key), (JsonNode?)t.Value))]),
        },
    };

    private static string CamelCase<T>(T value) where T : Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static JsonObject DriftJson(AddressDrift d) => new()
    {
        ["kind"] = CamelCase(d.Kind),
        ["instance"] = d.Instance,
        ["change"] = d.Event.Added ? "added" : "removed",
        ["address"] = $"{d.Event.Address.Address}/{d.Event.Address.PrefixLength}",
        ["interfaceIndex"] = d.Event.Address.InterfaceIndex,
        ["at"] = d.At,
    };

    private static JsonObject InstanceJson(VirtualRouterStatus s) => new()
    {
        ["name"] = s.Name,
        ["interface"] = s.Interface,
        ["virtualRouterId"] = s.VirtualRouterId,
        ["ipv6"] = s.Ipv6,
        ["state"] = s.State.ToString(),
        ["priority"] = s.Priority,
        ["masterSeen"] = s.MasterSeen?.ToString(),
        ["since"] = s.Since,
        ["reason"] = s.Reason,
        ["advertisementsSent"] = s.AdvertisementsSent,
        ["advertisementsReceived"] = s.AdvertisementsReceived,
        ["addressListMismatches"] = s.AddressListMismatches,
        ["lastAddressListMismatch"] = s.LastAddressListMismatch,
        ["becameMaster"] = s.BecameMaster,
        ["dropped"] = new JsonObject([.. s.Dropped.Select(d => KeyValuePair.Create(CamelCase(d.Key), (JsonNode?)d.Value))]),
        ["routersHeard"] = new JsonArray([.. s.Routers.Select(r => (JsonNode)new JsonObject
        {
            ["address"] = r.Address.ToString(),
            ["priority"] = r.Priority,
            ["adverts"] = r.Adverts,
            ["whileMaster"] = r.WhileMaster,
            ["lastSeen"] = r.LastSeen,
        })]),
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
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject previous
                || Unreadable(previous) is not null
                || previous["pid"]?.GetValue<int>() is not { } pid
                || (pid != Environment.ProcessId && IsRunning(pid)))
            {
                return null;
            }
            var masters = previous["instances"]!.AsArray().OfType<JsonObject>()
                .Where(i => (string?)i["state"] == "Master")
                .Select(i => new PreviousMaster((string)i["name"]!, (string?)i["interface"] ?? "", (int?)i["virtualRouterId"] ?? 0, (bool?)i["ipv6"] ?? false))
                .ToList();
            return new PreviousRun(masters, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
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
        File.WriteAllText(temporary, ToJson().ToJsonString(Indented));
        File.Move(temporary, path, overwrite: true);
    }
}
