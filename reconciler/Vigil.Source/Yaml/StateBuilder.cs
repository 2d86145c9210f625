using Vigil.Core.Desired;
using Vigil.Core.Validation;

namespace Vigil.Source.Yaml;

/// <summary>Binds valid documents to their kinds, rejecting a second document with the same kind and name.</summary>
internal sealed class StateBuilder(DiagnosticBag diagnostics)
{
    private readonly Dictionary<(string Kind, string Name), SourceOrigin> _seen = [];
    private readonly List<Resource<ClusterSpec>> _clusters = [];
    private readonly List<Resource<VrrpInstanceSpec>> _instances = [];
    private readonly List<Resource<SyncGroupSpec>> _groups = [];
    private readonly List<Resource<VrrpScriptSpec>> _scripts = [];
    private readonly List<Resource<VirtualServerSpec>> _servers = [];
    private readonly List<Resource<Vigil.Policies.PolicySpec>> _policies = [];

    /// <summary>The Policy documents that bound; they shape validation, not the desired state.</summary>
    public IReadOnlyList<Resource<Vigil.Policies.PolicySpec>> Policies => _policies;

    /// <summary>Kind/name of documents that failed the schema, so that references to them are not reported twice.</summary>
    public UnreadableResources Unreadable { get; } = new();

    public void MarkUnreadable(YamlDocument document) => Unreadable.Add(document.Kind, document.Name);

    /// <param name="memo">Where this document's binding is kept for the next load of the same file (an incremental load).</param>
    public void Add(YamlDocument document, BindingMemo? memo = null)
    {
        var kind = document.Kind!;
        var name = document.Name!;
        if (!_seen.TryAdd((kind, name), document.Origin))
        {
            var first = _seen[(kind, name)];
            diagnostics.Error(document.Origin, "metadata.name", "duplicate-name",
                $"{kind} '{name}' is already defined at {first.File}:{first.Locate("metadata.name").Line}");
            return;
        }
        var bound = kind switch
        {
            Kinds.Cluster => Bind(_clusters),
            Kinds.VrrpInstance => Bind(_instances),
            Kinds.SyncGroup => Bind(_groups),
            Kinds.VrrpScript => Bind(_scripts),
            Kinds.VirtualServer => Bind(_servers),
            Kinds.Policy => Bind(_policies),
            _ => false,
        };
        if (!bound)
        {
            Unreadable.Add(kind, name);
        }

        bool Bind<TSpec>(List<Resource<TSpec>> into) where TSpec : class
        {
            if (memo is not { Done: true })
            {
                var own = new DiagnosticBag();
                ResourceBinder.TryBind<TSpec>(document, own, out var bound);
                memo ??= new BindingMemo();
                (memo.Resource, memo.Diagnostics, memo.Done) = (bound, [.. own.Items], true);
            }
            diagnostics.AddRange(memo.Diagnostics);
            if (memo.Resource is not Resource<TSpec> resource)
            {
                return false;
            }
            into.Add(resource);
            return true;
        }
    }

    public DesiredState Build()
    {
        foreach (var extra in _clusters.Skip(1))
        {
            diagnostics.Error(extra.Origin, "kind", "cluster-unique",
                $"a second Cluster document ('{extra.Name}'); a repository describes one cluster, first defined at {_clusters[0].Origin.File}:{_clusters[0].Origin.Start.Line}");
        }
        return new DesiredState
        {
            Cluster = _clusters.FirstOrDefault(),
            VrrpInstances = [.. _instances],
            SyncGroups = [.. _groups],
            VrrpScripts = [.. _scripts],
            VirtualServers = [.. _servers],
        };
    }
}

/// <summary>A document's binding (its resource, or why it has none), kept with the file it came from.</summary>
internal sealed class BindingMemo
{
    public bool Done { get; set; }

    public object? Resource { get; set; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; set; } = [];
}
