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
public sealed record CommitVerification(VerifyMode Mode, string TrustedKeys);
