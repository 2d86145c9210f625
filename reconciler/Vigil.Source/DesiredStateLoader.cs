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
/// </summary>
public sealed class DesiredStateLoader
{
    private readonly SchemaValidator _schema;

    public DesiredStateLoader() : this(SchemaSet.Default)
    {
    }

    internal DesiredStateLoader(SchemaSet schemas) => _schema = new SchemaValidator(schemas);

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
        var diagnostics = new DiagnosticBag();
        var builder = new StateBuilder(diagnostics);
        var documents = new List<YamlDocument>();
        var fileCount = 0;
        foreach (var (path, text) in files)
        {
            fileCount++;
            var before = diagnostics.Items.Count;
            documents.AddRange(YamlFileReader.Read(path, text, diagnostics));
            if (diagnostics.Items.Count > before)
            {
                // A file that is not YAML may have held the Cluster: what nodes exist is unknown.
                builder.Unreadable.Add(Kinds.Cluster, null);
            }
        }

        var valid = new List<YamlDocument>();
        foreach (var document in documents)
        {
            if (_schema.Validate(document, diagnostics))
            {
                builder.Add(document);
                valid.Add(document);
            }
            else
            {
                builder.MarkUnreadable(document);
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
