using Vigil.Core.Desired;
using Vigil.Core.Validation;
using Vigil.Source.Schema;
using Vigil.Source.Yaml;

namespace Vigil.Source;

/// <summary>What loading a folder produced: the state when there is no error, and every finding either way.</summary>
public sealed record LoadResult(DesiredState? State, IReadOnlyList<Diagnostic> Diagnostics, int Files, int Documents)
{
    public bool IsValid => State is not null;

    public int ErrorCount => Diagnostics.Count(d => d.Severity == Severity.Error);

    public int WarningCount => Diagnostics.Count(d => d.Severity == Severity.Warning);
}

/// <summary>
/// Loads every <c>*.yaml</c>/<c>*.yml</c> file below a folder (or one file) as the desired state of one cluster:
/// YAML, then schema, then binding, then the semantic rules, collecting every finding before deciding.
/// An <see cref="Incremental"/> loader keeps what each file gave (its documents, their schema findings and bindings)
/// for the next load: a revision that changed a few files reads, validates and binds only those; the rules that
/// look across documents run whole every time. Its result equals a full load's.
/// </summary>
public sealed class DesiredStateLoader
{
    private readonly SchemaValidator _schema;
    private readonly bool _incremental;
    private readonly Lock _gate = new();

    // The files of the last load, by display path and text; replaced by each load, so it never outgrows one revision.
    private Dictionary<(string Path, string Text), FileReading> _previous = [];

    public DesiredStateLoader() : this(SchemaSet.Default)
    {
    }

    internal DesiredStateLoader(SchemaSet schemas, bool incremental = false)
    {
        _schema = new SchemaValidator(schemas);
        _incremental = incremental;
    }

    /// <summary>A loader that reuses the files the previous load read unchanged (an agent, `vigil plan` between two commits).</summary>
    public static DesiredStateLoader Incremental() => new(SchemaSet.Default, incremental: true);

    /// <summary>How many files the last load read (the rest came from the previous one): for tests and the curious.</summary>
    public int FilesRead { get; private set; }

    /// <summary>What one file gave: its documents with their schema verdicts, and the findings of reading it.</summary>
    private sealed record FileReading(IReadOnlyList<DocumentReading> Documents, IReadOnlyList<Diagnostic> ReadFindings);

    private sealed record DocumentReading(YamlDocument Document, bool SchemaValid, IReadOnlyList<Diagnostic> SchemaFindings)
    {
        public BindingMemo Binding { get; } = new();
    }

    private FileReading Read(string path, string text)
    {
        var read = new DiagnosticBag();
        var documents = YamlFileReader.Read(path, text, read);
        return new FileReading([.. documents.Select(d =>
        {
            var findings = new DiagnosticBag();
            var valid = _schema.Validate(d, findings);
            return new DocumentReading(d, valid, [.. findings.Items]);
        })], [.. read.Items]);
    }

    /// <summary>A folder of YAML (or one file); throws DirectoryNotFoundException when there is neither.</summary>
    public LoadResult LoadPath(string path)
    {
        var revision = new FolderRevisions(path).Latest();
        return Load(revision.Files, revision.Root);
    }

    /// <summary>Files in a stable order; hidden folders (.git, .github) are not desired state.</summary>
    public static IEnumerable<string> EnumerateYaml(string root) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None })
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Loads files given as (display path, text): the seam used by tests and by the git source. <paramref name="root"/> is
    /// the folder the display paths start from, so that policies see paths relative to the repository (<c>network/vips.yaml</c>).
    /// </summary>
    public LoadResult Load(IEnumerable<(string Path, string Text)> files, string root = "")
    {
        lock (_gate)
        {
            return LoadLocked(files, root);
        }
    }

    private LoadResult LoadLocked(IEnumerable<(string Path, string Text)> files, string root)
    {
        var diagnostics = new DiagnosticBag();
        var builder = new StateBuilder(diagnostics);
        var documents = new List<DocumentReading>();
        var current = new Dictionary<(string Path, string Text), FileReading>();
        var fileCount = 0;
        FilesRead = 0;
        foreach (var (path, text) in files)
        {
            fileCount++;
            if (!_previous.TryGetValue((path, text), out var reading) && !current.TryGetValue((path, text), out reading))
            {
                reading = Read(path, text);
                FilesRead++;
            }
            current[(path, text)] = reading;
            documents.AddRange(reading.Documents);
            diagnostics.AddRange(reading.ReadFindings);
            if (reading.ReadFindings.Count > 0)
            {
                // A file that is not YAML may have held the Cluster: what nodes exist is unknown.
                builder.Unreadable.Add(Kinds.Cluster, null);
            }
        }
        if (_incremental)
        {
            _previous = current;
        }

        var valid = new List<YamlDocument>();
        foreach (var document in documents)
        {
            diagnostics.AddRange(document.SchemaFindings);
            if (document.SchemaValid)
            {
                builder.Add(document.Document, _incremental ? document.Binding : null);
                valid.Add(document.Document);
            }
            else
            {
                builder.MarkUnreadable(document.Document);
            }
        }

        var state = builder.Build();
        diagnostics.AddRange(SemanticValidator.Validate(state, builder.Unreadable));
        // Policies judge documents the schema accepted: one defect, one error.
        RepositoryPolicies.Check(valid, builder.Policies, root, diagnostics);
        var sorted = diagnostics.Sorted();
        return new LoadResult(diagnostics.HasErrors ? null : state, sorted, fileCount, documents.Count);
    }
}
