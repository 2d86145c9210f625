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
    /// Why <paramref name="commit"/> may not apply, or null when its signatures verify: the commit's own (head), the
    /// annotated tag <paramref name="tagName"/> that must name it (tag), or both (tag-and-head).
    /// </summary>
    public string? Refusal(LibGit2Sharp.Repository repository, LibGit2Sharp.Commit commit, string tagName)
    {
        var verifier = new SignatureVerifier(TrustedKeys);
        if (Mode != VerifyMode.Head)
        {
            if (repository.Tags[tagName] is not { } tag)
            {
                return $"--verify-commits {(Mode == VerifyMode.Tag ? "tag" : "tag-and-head")} needs a tag to verify: '{tagName}' is none";
            }
            if ((tag.PeeledTarget as LibGit2Sharp.Commit)?.Sha != commit.Sha)
            {
                return $"tag {tagName} no longer names commit {GitSource.Short(commit.Sha)}";
            }
            if (verifier.Refusal(SignedObject.Of(tag)) is { } tagRefusal)
            {
                return tagRefusal;
            }
        }
        return Mode == VerifyMode.Tag ? null : verifier.Refusal(SignedObject.Of(repository, commit));
    }
}
