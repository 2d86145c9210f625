namespace Vigil.Core.Secrets;

/// <summary>
/// A value that must never be printed: the plan (posted as a pull-request comment), status, metrics and logs show
/// <see cref="Redaction.Hidden"/> in its place. A VRRP v2 password travels in clear on the wire, but a comment on a
/// pull request is read by far more people than the segment.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>A URL that may carry credentials (user:token@, ?token=): printed without its userinfo, query and fragment.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class CredentialUrlAttribute : Attribute;

/// <summary>How secrets are shown: never.</summary>
public static partial class Redaction
{
    public const string Hidden = "(hidden)";

    public const string Changed = "(changed)";

    /// <summary>
    /// <paramref name="url"/> without what may be a credential: a password in the userinfo (user:password@), a user
    /// name over HTTP(S) (a token is often sent as the user), the query and the fragment. An SSH user name (ssh://git@)
    /// holds no secret and stays. Anything that does not parse as an absolute URL is returned as it is (a path, or
    /// scp-like git@host:repo).
    /// </summary>
    public static string Url(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
        {
            return url;
        }
        var web = uri.Scheme is "http" or "https";
        var userHidden = uri.UserInfo.Contains(':', StringComparison.Ordinal) || (web && uri.UserInfo.Length > 0);
        var queryHidden = uri.Query.Length > 0 || uri.Fragment.Length > 0;
        if (!userHidden && !queryHidden)
        {
            return url;
        }
        var builder = new UriBuilder(uri) { Password = "", Query = "", Fragment = "" };
        if (userHidden)
        {
            builder.UserName = "";
        }
        var shown = builder.Uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.UserInfo | UriComponents.Path, UriFormat.UriEscaped);
        return shown + (userHidden ? " (credentials hidden)" : " (query hidden)");
    }

    /// <summary>Every absolute URL inside <paramref name="text"/> (an error message, say) passed through <see cref="Url"/>.</summary>
    public static string UrlsIn(string text) =>
        UrlPattern().Replace(text, match => Url(match.Value));

    // A URL up to white space or quotes, less trailing punctuation (the colon of "fetch URL: reason").
    [System.Text.RegularExpressions.GeneratedRegex(@"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'""<>]*[^\s'""<>:.,;)\]]")]
    private static partial System.Text.RegularExpressions.Regex UrlPattern();
}
