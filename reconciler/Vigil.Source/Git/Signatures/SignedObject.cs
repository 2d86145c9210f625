using System.Globalization;
using System.Text;
using LibGit2Sharp;

namespace Vigil.Source.Git.Signatures;

/// <summary>A signature and the bytes it signs, as git verifies them (verify-commit, verify-tag).</summary>
public sealed record SignedObject(string What, string? Signature, byte[] Payload)
{
    private static readonly string[] Markers = ["-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"];

    /// <summary>A commit's gpgsig header and the commit without it (libgit2 splits them).</summary>
    public static SignedObject Of(Repository repository, Commit commit)
    {
        var (signature, signedData) = Libgit2.CommitSignature(repository.Info.Path, commit.Id);
        return new SignedObject($"commit {GitSource.Short(commit.Sha)}", signature, signedData);
    }

    /// <summary>
    /// An annotated tag's signature (the armored block that ends its message) and the tag object before it, written
    /// back as git wrote it: object, type, tag, tagger, a blank line, the message.
    /// </summary>
    public static SignedObject Of(Tag tag)
    {
        var what = $"tag {tag.FriendlyName}";
        if (tag.Annotation is not { } annotation)
        {
            return new SignedObject(what, null, []);
        }
        var message = annotation.Message;
        var start = Markers.Select(marker => message.IndexOf(marker, StringComparison.Ordinal)).Where(at => at >= 0).DefaultIfEmpty(-1).Min();
        if (start < 0)
        {
            return new SignedObject(what, null, []);
        }
        var tagger = annotation.Tagger;
        var offset = tagger.When.Offset;
        var zone = string.Create(CultureInfo.InvariantCulture, $"{(offset < TimeSpan.Zero ? '-' : '+')}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}");
        var header = string.Create(CultureInfo.InvariantCulture,
            $"object {annotation.Target.Sha}\ntype {TypeOf(annotation.Target)}\ntag {annotation.Name}\n" +
            $"tagger {tagger.Name} <{tagger.Email}> {tagger.When.ToUnixTimeSeconds()} {zone}\n\n");
        return new SignedObject(what, message[start..], Encoding.UTF8.GetBytes(header + message[..start]));
    }

    private static string TypeOf(GitObject target) => target switch
    {
        Commit => "commit",
        Tree => "tree",
        Blob => "blob",
        _ => "tag",
    };
}
