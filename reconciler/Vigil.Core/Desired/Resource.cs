namespace Vigil.Core.Desired;

/// <summary>One YAML document: a named spec of one kind and where it was written.</summary>
public sealed record Resource<TSpec>(string Name, TSpec Spec, SourceOrigin Origin)
{
    /// <summary>Identity is kind + name + spec; where it was written does not make it a different resource.</summary>
    public bool Equals(Resource<TSpec>? other) =>
        other is not null && Name == other.Name && EqualityComparer<TSpec>.Default.Equals(Spec, other.Spec);

    public override int GetHashCode() => HashCode.Combine(Name, Spec);
}

public static class Kinds
{
    public const string ApiVersion = "vigil/v1";
    public const string Cluster = "Cluster";
    public const string VrrpInstance = "VrrpInstance";
    public const string SyncGroup = "SyncGroup";
    public const string VrrpScript = "VrrpScript";
    public const string VirtualServer = "VirtualServer";
    public const string Policy = "Policy";

    public static readonly IReadOnlyList<string> All = [Cluster, VrrpInstance, SyncGroup, VrrpScript, VirtualServer, Policy];
}

/// <summary>The whole desired state of one cluster, from every document of every file.</summary>
public sealed record DesiredState
{
    public Resource<ClusterSpec>? Cluster { get; init; }
    public ValueList<Resource<VrrpInstanceSpec>> VrrpInstances { get; init; } = [];
    public ValueList<Resource<SyncGroupSpec>> SyncGroups { get; init; } = [];
    public ValueList<Resource<VrrpScriptSpec>> VrrpScripts { get; init; } = [];
    public ValueList<Resource<VirtualServerSpec>> VirtualServers { get; init; } = [];

    public ClusterSpec ClusterSpec => Cluster?.Spec ?? new ClusterSpec();
}
