using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Agent.Peers;

/// <summary>
/// Signs and checks peer-status requests and answers with the cluster's shared key (HMAC-SHA256). A request carries
/// its time and a random nonce, signed with its method and path; it is refused when the signature is wrong, the time
/// is more than <see cref="Skew"/> away, or the nonce was seen already (a replay). The answer is signed over the
/// request's nonce and its body's digest, so a client knows a key holder answered this request. Pure: time is given.
/// </summary>
public sealed class PeerAuthentication(TimeProvider time)
{
    public const string TimeHeader = "X-Vigil-Time";
    public const string NonceHeader = "X-Vigil-Nonce";
    public const string SignatureHeader = "X-Vigil-Signature";
    public const int MinimumKeyBytes = 16;

    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    // Nonces are kept as long as their time could still be accepted; the bound keeps a flood from growing it.
    private const int MaxNonces = 100_000;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The headers of a signed request: (time, nonce, signature).</summary>
    public static (string Time, string Nonce, string Signature) Sign(byte[] key, string method, string path, DateTimeOffset now)
    {
        var stamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return (stamp, nonce, Mac(key, $"{method}\n{path}\n{stamp}\n{nonce}"));
    }

    /// <summary>Null when the request may be answered, else why not (for the log: never the key, never the signature).</summary>
    public string? Refusal(byte[] key, string method, string path, string? stamp, string? nonce, string? signature)
    {
        if (stamp is null || nonce is null || signature is null)
        {
            return "unsigned request";
        }
        if (!long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || nonce.Length is < 16 or > 64)
        {
            return "malformed signature headers";
        }
        if (!FixedTimeEquals(signature, Mac(key, $"{method}\n{path}\n{stamp}\n{nonce}")))
        {
            return "bad signature (another key, or the request was changed)";
        }
        var at = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        var now = time.GetUtcNow();
        if ((now - at).Duration() > Skew)
        {
            return $"request time {Math.Abs((now - at).TotalSeconds):0} s away from this node's (clocks apart, or a replay)";
        }
        lock (_gate)
        {
            if (_seen.Count >= MaxNonces)
            {
                foreach (var old in _seen.Where(n => now - n.Value > Skew * 2).Select(n => n.Key).ToList())
                {
                    _seen.Remove(old);
                }
                if (_seen.Count >= MaxNonces)
                {
                    return "too many requests to remember their nonces";
                }
            }
            if (!_seen.TryAdd(nonce, at))
            {
                return "nonce already used (a replay)";
            }
        }
        return null;
    }

    /// <summary>The answer's signature: over the request's nonce and the body's SHA-256.</summary>
    public static string SignAnswer(byte[] key, string nonce, ReadOnlySpan<byte> body) =>
        Mac(key, $"answer\n{nonce}\n{Convert.ToHexString(SHA256.HashData(body))}");

    public static bool AnswerIsSigned(byte[] key, string nonce, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null && FixedTimeEquals(signature, SignAnswer(key, nonce, body));

    private static string Mac(byte[] key, string text) => Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
