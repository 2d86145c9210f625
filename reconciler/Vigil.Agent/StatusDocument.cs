using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Agent;

/// <summary>
/// The status file's contract, version <see cref="AgentStatus.FormatVersion"/>: what an agent writes (its status file,
/// `/status`) and what every reader takes back (`vigil status`, `drift`, `plan --node`, `reconcile`, `/metrics`, a
/// restarted agent), one set of records serialised by System.Text.Json's source generator. Within a version fields are
/// only added; enum-like fields are the camelCase strings the JSON carries.
/// </summary>
public sealed record StatusDocument
{
    public int Version { get; init; } = AgentStatus.FormatVersion;
    public string Node { get; init; } = "";
    public string? ConfigPath { get; init; }
    public SourceDocument Source { get; init; } = new();
    public int Pid { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset LoadedAt { get; init; }
    public IReadOnlyList<InstanceDocument> Instances { get; init; } = [];
    public IReadOnlyDictionary<string, IReadOnlyList<ConditionDocument>> Conditions { get; init; } = new Dictionary<string, IReadOnlyList<ConditionDocument>>();
    public IReadOnlyList<string> Degraded { get; init; } = [];
    public IReadOnlyDictionary<string, long> AddressDriftCounts { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<AddressDriftDocument> AddressDrift { get; init; } = [];
    public IReadOnlyDictionary<string, VrrpScriptDocument> VrrpScripts { get; init; } = new Dictionary<string, VrrpScriptDocument>();
    public IReadOnlyList<RealServerDocument> RealServers { get; init; } = [];
    public DriftDocument? Drift { get; init; }
    public PeerStatusDocument? Peers { get; init; }
    /// <summary>The last rollout decision (Cluster rollout.waitForPeers): absent when the running revision's Cluster orders none.</summary>
    public RolloutDocument? Rollout { get; init; }

    private static readonly StatusJsonContext Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public string ToJsonText() => JsonSerializer.Serialize(this, Context.StatusDocument);

    public System.Text.Json.Nodes.JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, Context.StatusDocument)!.AsObject();

    /// <summary>The document in <paramref name="json"/>; throws <see cref="JsonException"/> when it is not one, or one of a newer format.</summary>
    public static StatusDocument Parse(string json)
    {
        var document = JsonSerializer.Deserialize(json, Context.StatusDocument) ?? throw new JsonException("not a status document");
        return document.Version > AgentStatus.FormatVersion
            ? throw new JsonException($"status format {document.Version} was written by a newer vigil; this one reads format {AgentStatus.FormatVersion}")
            : document;
    }

    public static StatusDocument Read(string path) => Parse(File.ReadAllText(path));
}

public sealed record SourceDocument
{
    public string Location { get; init; } = "";
    public string? Folder { get; init; }
    public string? Commit { get; init; }
    public string? Subject { get; init; }
    public string? LastFetched { get; init; }
    public string? LastGood { get; init; }
    public string? LastError { get; init; }
    public string? LastErrorCommit { get; init; }
    public string? LastOutcome { get; init; }
    public DateTimeOffset? ReconciledAt { get; init; }
    public DateTimeOffset? AttemptedAt { get; init; }
    public double? LastDurationMs { get; init; }
    public IReadOnlyList<string> NotApplied { get; init; } = [];
    public PassDocument? LastPass { get; init; }
    /// <summary>Units (top-level folders) running an earlier commit than <see cref="Commit"/>, each with why; empty when none.</summary>
    public IReadOnlyList<HeldUnitDocument> HeldUnits { get; init; } = [];
    /// <summary>Who signed the running commit (and its tag), with --verify-commits; absent otherwise.</summary>
    public string? SignedBy { get; init; }
}

/// <summary>A unit kept at <see cref="Commit"/> (null: it runs nothing) while the rest runs the source's commit.</summary>
public sealed record HeldUnitDocument(string Unit, string? Commit, string Reason);

public sealed record PassDocument(string Result, string? Reason, double? RetryAfterSeconds);

public sealed record InstanceDocument
{
    public string Name { get; init; } = "";
    public string Interface { get; init; } = "";
    public int VirtualRouterId { get; init; }
    public bool Ipv6 { get; init; }
    public string State { get; init; } = "";
    public int Priority { get; init; }
    public string? MasterSeen { get; init; }
    public DateTimeOffset Since { get; init; }
    public string Reason { get; init; } = "";
    public long AdvertisementsSent { get; init; }
    public long AdvertisementsReceived { get; init; }
    public long AddressListMismatches { get; init; }
    public string? LastAddressListMismatch { get; init; }
    /// <summary>Adverts taken only because the instance's other revision has them so (a rollout under way).</summary>
    public long ToleratedAdverts { get; init; }
    /// <summary>Until when the other revision's adverts are taken; absent when no rollout window is open.</summary>
    public DateTimeOffset? ToleratingUntil { get; init; }
    /// <summary>Lower-priority adverts (0 &lt; priority &lt; this) the kernel drops unseen, as a preempting backup; 0 when none.</summary>
    public int KernelDropsBelow { get; init; }
    public long BecameMaster { get; init; }
    public IReadOnlyDictionary<string, long> Dropped { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<RouterHeardDocument> RoutersHeard { get; init; } = [];
}

public sealed record RouterHeardDocument(string Address, int Priority, long Adverts, long WhileMaster, DateTimeOffset LastSeen);

public sealed record ConditionDocument(string Type, bool Status, string Reason);

public sealed record AddressDriftDocument(string Kind, string? Instance, string Change, string Address, int InterfaceIndex, DateTimeOffset At);

public sealed record VrrpScriptDocument(bool Ok, string Reason);

public sealed record RealServerDocument(string VirtualServer, string RealServer, bool Up, string Reason, int? Weight, DateTimeOffset Since);

public sealed record DriftDocument
{
    public DateTimeOffset CheckedAt { get; init; }
    public string Mode { get; init; } = "";
    public IReadOnlyList<DriftItemDocument> Items { get; init; } = [];
    public IReadOnlyList<string> Corrected { get; init; } = [];
    public IReadOnlyDictionary<string, long> Totals { get; init; } = new Dictionary<string, long>();
}

public sealed record DriftItemDocument(string Kind, string Subject, string Detail, bool Correctable);

/// <summary>Cluster peerStatus as the running revision has it: the port, where the key is (never the key), each node's address.</summary>
public sealed record PeerStatusDocument(int Port, string? KeyFile, string? KeyEnvironment, IReadOnlyList<PeerNodeDocument> Nodes)
{
    /// <summary>Where <paramref name="nodes"/> serve under <paramref name="spec"/>: the Vigil ones (a keepalived node serves nothing).</summary>
    public static PeerStatusDocument Of(Core.Desired.PeerStatusSpec spec, IEnumerable<Core.Desired.NodeSpec> nodes) =>
        new(spec.Port, spec.KeyFile, spec.KeyEnvironment, [.. nodes.Where(n => n.Daemon == Core.Desired.NodeDaemon.Vigil)
            .Select(n => new PeerNodeDocument(n.Name, Core.Desired.PeerStatusSpec.AddressOf(n)?.ToString()))]);
}

public sealed record PeerNodeDocument(string Node, string? Address);

/// <summary>
/// This node's turn for <see cref="Commit"/>: verdict go, wait, proceed (timed out, applied anyway) or stall (timed out,
/// the revision before kept); the message says whom it waits for and why; <see cref="Order"/> is each group's order.
/// </summary>
public sealed record RolloutDocument(string Commit, string Verdict, string Message, DateTimeOffset Since, DateTimeOffset Deadline,
    IReadOnlyList<string> WaitingFor, IReadOnlyList<string> Order);

[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
