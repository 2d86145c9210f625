namespace Vigil.Source.Tests.Git;

/// <summary>
/// Tests that fetch with <see cref="Vigil.Source.Git.GitSource"/> run one at a time: a fetch sets libgit2's timeouts,
/// which are the process's, and one test asserts them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class Libgit2Collection
{
    public const string Name = "libgit2 process-wide options";
}
