using Vigil.Source.Git;
using Vigil.Source.Git.Signatures;

namespace Vigil.Source.Tests.Git;

/// <summary>
/// Only signed commits apply (--verify-commits), with real git and real keys: OpenPGP and SSH signatures; the commit
/// (head), the tag the ref names (tag), or both; signed by a trusted key, unsigned, changed after signing, or signed by
/// a key the node does not trust. Verified as the agent's git source verifies what it fetched.
/// </summary>
[Collection(Libgit2Collection.Name)]
public sealed class SignedCommitTests(SigningKeys keys) : IClassFixture<SigningKeys>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-signed-").FullName;

    public static TheoryData<string, VerifyMode, string> Matrix()
    {
        var data = new TheoryData<string, VerifyMode, string>();
        foreach (var format in new[] { "openpgp", "ssh" })
        {
            foreach (var mode in new[] { VerifyMode.Head, VerifyMode.Tag, VerifyMode.TagAndHead })
            {
                foreach (var @case in new[] { "trusted", "unsigned", "tampered", "untrusted" })
                {
                    data.Add(format, mode, @case);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void OnlyWhatATrustedKeySigned_Applies(string format, VerifyMode mode, string @case)
    {
        var repository = new GitRepository(Path.Combine(_folder, "repo"));
        File.WriteAllText(repository.PathOf("cluster.yaml"), "kind: Cluster\n");
        repository.Git("add", "-A");
        // What is signed and by whom: in tag-and-head the case is played by one of the two (the commit when unsigned or
        // untrusted, the tag when tampered), the other being signed by the trusted key, so that each check is seen to count.
        var commitSigner = mode == VerifyMode.Tag || @case == "unsigned" ? null : @case == "untrusted" ? "stranger" : "ops";
        if (mode == VerifyMode.TagAndHead && @case == "tampered")
        {
            commitSigner = "ops";
        }
        repository.Git(commitSigner is null ? ["commit", "-q", "-m", "cluster"] : [.. keys.Signing(format, commitSigner), "commit", "-q", "-S", "-m", "cluster"]);
        if (mode == VerifyMode.Head && @case == "tampered")
        {
            Rewrite(repository, "commit", "HEAD", "refs/heads/main", "hash-object -t commit -w --stdin");
        }
        if (mode != VerifyMode.Head)
        {
            var tagSigner = mode == VerifyMode.TagAndHead ? "ops" : @case == "unsigned" ? null : @case == "untrusted" ? "stranger" : "ops";
            repository.Git(tagSigner is null ? ["tag", "-a", "-m", "release", "v1"] : [.. keys.Signing(format, tagSigner), "tag", "-s", "-m", "release", "v1"]);
            if (@case == "tampered")
            {
                Rewrite(repository, "tag", "v1", "refs/tags/v1", "mktag");
            }
        }

        using var source = new GitSource(new GitSourceSpec
        {
            Repository = repository.Path,
            Ref = mode == VerifyMode.Head ? "main" : "v1",
            Verify = new CommitVerification(mode, keys.Trusted),
        }, Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName);
        var verdict = source.Verdict(source.Fetch().Sha)!;
        var refusal = verdict.Refusal;

        var what = mode == VerifyMode.Head || (mode == VerifyMode.TagAndHead && @case is "unsigned" or "untrusted") ? "commit" : "tag v1";
        var expected = @case switch
        {
            "trusted" => null,
            "unsigned" => "is not signed",
            "tampered" => format == "ssh" ? ": bad SSH signature by ops@example.org" : ": bad OpenPGP signature",
            _ => $"is signed by an {(format == "ssh" ? "SSH" : "OpenPGP")} key not in the trusted keys",
        };
        if (expected is null)
        {
            Assert.Null(refusal);
            // Who signed, as the status and the history say it.
            Assert.Contains(format == "ssh" ? "ops@example.org (SSH)" : "(OpenPGP ", verdict.SignedBy, StringComparison.Ordinal);
            Assert.Equal(mode != VerifyMode.Head, verdict.SignedBy!.StartsWith("tag v1: ", StringComparison.Ordinal));
            Assert.Equal(mode == VerifyMode.TagAndHead, verdict.SignedBy.Contains("; commit: ", StringComparison.Ordinal));
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.StartsWith(what, refusal, StringComparison.Ordinal);
            Assert.Contains(expected, refusal, StringComparison.Ordinal);
            Assert.Null(verdict.SignedBy);
        }
    }

    [Fact]
    public void AKeyRemovedFromTheTrustedFolder_IsDistrustedAtOnce()
    {
        var repository = new GitRepository(Path.Combine(_folder, "repo"));
        File.WriteAllText(repository.PathOf("cluster.yaml"), "kind: Cluster\n");
        repository.Git("add", "-A");
        repository.Git([.. keys.Signing("ssh", "ops"), "commit", "-q", "-S", "-m", "cluster"]);
        var trusted = Directory.CreateDirectory(Path.Combine(_folder, "trusted")).FullName;
        File.Copy(Path.Combine(keys.Trusted, "allowed_signers"), Path.Combine(trusted, "allowed_signers"));
        using var source = new GitSource(new GitSourceSpec { Repository = repository.Path, Verify = new CommitVerification(VerifyMode.Head, trusted) },
            Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName);
        var sha = source.Fetch().Sha;
        Assert.Null(source.Verdict(sha)!.Refusal);
        // Fetched again on the next interval: the verdict is not reached again while nothing it depends on changed.
        Assert.Equal("ops@example.org (SSH)", source.Verdict(sha)!.SignedBy);
        Assert.Equal(1, source.Verdicts.Checked);

        File.Delete(Path.Combine(trusted, "allowed_signers"));

        Assert.Contains("not in the trusted keys", source.Verdict(sha)!.Refusal, StringComparison.Ordinal);
        Assert.Equal(2, source.Verdicts.Checked);
    }

    [Fact]
    public void ACommitInLatin1_IsVerifiedOnItsExactBytes()
    {
        // git signs the bytes it stores; a message in another encoding (i18n.commitEncoding) is not UTF-8, so the signed
        // bytes must come back from libgit2 untouched, not as text decoded and encoded again.
        var repository = new GitRepository(Path.Combine(_folder, "repo"));
        File.WriteAllText(repository.PathOf("cluster.yaml"), "kind: Cluster\n");
        repository.Git("add", "-A");
        var message = Path.Combine(_folder, "message");
        File.WriteAllBytes(message, System.Text.Encoding.Latin1.GetBytes("Vérifié par l'équipe\n"));
        repository.Git([.. keys.Signing("ssh", "ops"), "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-S", "-F", message]);
        Assert.Contains("encoding ISO-8859-1", repository.Git("cat-file", "commit", "HEAD"), StringComparison.Ordinal);

        using var source = new GitSource(new GitSourceSpec { Repository = repository.Path, Verify = new CommitVerification(VerifyMode.Head, keys.Trusted) },
            Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName);
        var verdict = source.Verdict(source.Fetch().Sha)!;

        Assert.Null(verdict.Refusal);
        Assert.Equal("ops@example.org (SSH)", verdict.SignedBy);
    }

    [Fact]
    public void ArmoredKeys_DearmorToThePacketsGpgExports()
    {
        var exported = Path.Combine(_folder, "ops.gpg");
        SigningKeys.Run("gpg", ["--homedir", Path.Combine(keys.Folder, "ops-gnupg"), "--output", exported, "--export", "ops@example.org"]);
        Assert.Equal(File.ReadAllBytes(exported), ArmoredKeys.Dearmor(File.ReadAllText(Path.Combine(keys.Trusted, "ops.asc"))));
    }

    /// <summary>Changes a signed object's message and points the ref at the result: the signature no longer matches.</summary>
    private static void Rewrite(GitRepository repository, string type, string name, string reference, string write)
    {
        var raw = repository.Git("cat-file", type, name);
        var changed = raw.Replace(type == "commit" ? "\n\ncluster" : "\n\nrelease", type == "commit" ? "\n\ncluster changed" : "\n\nrelease changed", StringComparison.Ordinal);
        Assert.NotEqual(raw, changed);
        var sha = SigningKeys.Run("git", ["-C", repository.Path, .. write.Split(' ')], changed + "\n").Trim();
        repository.Git("update-ref", reference, sha);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
