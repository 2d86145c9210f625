using System.ComponentModel;
using System.Diagnostics;

namespace Vigil.Agent.Firewall;

/// <summary>The node's nftables, as the firewall applier needs it: a script applied in one transaction.</summary>
public interface INftables
{
    /// <summary>Applies <paramref name="script"/> atomically; null when done, else why not.</summary>
    string? Apply(string script);
}

/// <summary>Debian's nft: <c>nft -f -</c> with the script on its standard input.</summary>
public sealed class NftCommand : INftables
{
    public string? Apply(string script)
    {
        try
        {
            using var nft = Process.Start(new ProcessStartInfo("nft", ["-f", "-"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var error = nft.StandardError.ReadToEndAsync();
            nft.StandardInput.Write(script);
            nft.StandardInput.Close();
            nft.StandardOutput.ReadToEnd();
            if (!nft.WaitForExit(10_000))
            {
                nft.Kill();
                return "nft did not finish within 10s";
            }
            return nft.ExitCode == 0 ? null : $"nft exit {nft.ExitCode}: {error.Result.Trim()}";
        }
        catch (Win32Exception e)
        {
            return $"cannot run nft ({e.Message}): install nftables for accept: false";
        }
    }
}
