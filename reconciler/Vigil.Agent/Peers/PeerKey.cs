using System.Text;
using Vigil.Core.Desired;

namespace Vigil.Agent.Peers;

/// <summary>The cluster's shared key as this node holds it: read at each use, so a rotated file takes effect at once.</summary>
public static class PeerKey
{
    /// <summary>The key's bytes, or null with why (never the key itself).</summary>
    public static byte[]? Read(PeerStatusSpec spec, out string? problem)
    {
        string? text;
        try
        {
            text = spec.KeyFile is { } file ? File.ReadAllText(file) : Environment.GetEnvironmentVariable(spec.KeyEnvironment!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"peer key file {spec.KeyFile}: {e.Message}";
            return null;
        }
        var key = text is null ? [] : Encoding.UTF8.GetBytes(text.Trim());
        if (key.Length < PeerAuthentication.MinimumKeyBytes)
        {
            problem = spec.KeyFile is { } path
                ? $"peer key file {path} holds fewer than {PeerAuthentication.MinimumKeyBytes} bytes"
                : $"environment variable {spec.KeyEnvironment} holds fewer than {PeerAuthentication.MinimumKeyBytes} characters";
            return null;
        }
        problem = null;
        return key;
    }
}
