namespace Vigil.Source.Git.Signatures;

/// <summary>What must be signed before a revision applies (Flux's verification modes).</summary>
public enum VerifyMode
{
    /// <summary>The commit the ref points at.</summary>
    Head,
    /// <summary>The annotated tag the ref names (the ref must be a tag).</summary>
    Tag,
    /// <summary>Both the tag and the commit it points at.</summary>
    TagAndHead,
}

/// <summary>
/// Commit-signature verification: the mode, and the node's own folder of trusted keys (never the repository's):
/// OpenPGP public keys as *.asc files, SSH keys in allowed_signers files (git's gpg.ssh.allowedSignersFile format).
/// </summary>
public sealed record CommitVerification(VerifyMode Mode, string TrustedKeys)
{
    /// <summary>
    /// Who signed <paramref name="commit"/>, or why it may not apply: the commit's own signature (head), the annotated
    /// tag <paramref name="tagName"/> that must name it (tag), or both (tag-and-head).
    /// </summary>
    public SignatureVerdict Check(LibGit2Sharp.Repository repository, LibGit2Sharp.Commit commit, string tagName)
    {
        var verifier = new SignatureVerifier(TrustedKeys);
        string? tagSigner = null;
        if (Mode != VerifyMode.Head)
        {
            if (repository.Tags[tagName] is not { } tag)
            {
                return SignatureVerdict.Refused($"--verify-commits {(Mode == VerifyMode.Tag ? "tag" : "tag-and-head")} needs a tag to verify: '{tagName}' is none");
            }
            if ((tag.PeeledTarget as LibGit2Sharp.Commit)?.Sha != commit.Sha)
            {
                return SignatureVerdict.Refused($"tag {tagName} no longer names commit {GitSource.Short(commit.Sha)}");
            }
            var tagVerdict = verifier.Check(SignedObject.Of(tag));
            if (tagVerdict.Refusal is not null || Mode == VerifyMode.Tag)
            {
                return tagVerdict with { SignedBy = tagVerdict.SignedBy is { } by ? $"tag {tagName}: {by}" : null };
            }
            tagSigner = tagVerdict.SignedBy;
        }
        var verdict = verifier.Check(SignedObject.Of(repository, commit));
        return tagSigner is not null && verdict.SignedBy is { } signer ? verdict with { SignedBy = $"tag {tagName}: {tagSigner}; commit: {signer}" } : verdict;
    }

    /// <summary>
    /// What a verdict depends on: the commit, the tag object (a tag signed again names the same commit), and the trusted
    /// keys folder as it is now (each file's name, size and time), so a cached verdict never outlives a key's removal.
    /// </summary>
    public string VerdictKey(LibGit2Sharp.Repository repository, LibGit2Sharp.Commit commit, string tagName)
    {
        var tag = Mode == VerifyMode.Head ? "" : repository.Tags[tagName]?.Target.Sha ?? "-";
        var keys = Directory.Exists(TrustedKeys)
            ? string.Join('|', Directory.EnumerateFiles(TrustedKeys).Order(StringComparer.Ordinal).Select(f => new FileInfo(f)).Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"))
            : "";
        return $"{Mode}/{commit.Sha}/{tag}/{keys}";
    }
}

/// <summary>A commit's signatures checked: who signed it (<see cref="SignedBy"/>), or why it may not apply (<see cref="Refusal"/>).</summary>
public sealed record SignatureVerdict(string? SignedBy, string? Refusal)
{
    public static SignatureVerdict Trusted(string signedBy) => new(signedBy, null);

    public static SignatureVerdict Refused(string why) => new(null, why);
}

/// <summary>
/// Verdicts already reached, by <see cref="CommitVerification.VerdictKey"/>: an agent fetches the same commit on every
/// interval, and checking runs ssh-keygen or gpgv each time. Bounded: the newest few keys are all a source needs.
/// </summary>
public sealed class VerdictCache
{
    private const int Capacity = 16;
    private readonly Dictionary<string, SignatureVerdict> _verdicts = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>How many verdicts were reached rather than found (for tests and the curious).</summary>
    public int Checked { get; private set; }

    public SignatureVerdict Get(string key, Func<SignatureVerdict> check)
    {
        if (_verdicts.TryGetValue(key, out var known))
        {
            return known;
        }
        Checked++;
        var verdict = check();
        if (_order.Count == Capacity)
        {
            _verdicts.Remove(_order.Dequeue());
        }
        _order.Enqueue(key);
        _verdicts[key] = verdict;
        return verdict;
    }
}
