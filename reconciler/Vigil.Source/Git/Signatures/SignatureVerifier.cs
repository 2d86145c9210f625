using System.Diagnostics;
using System.Text;

namespace Vigil.Source.Git.Signatures;

/// <summary>
/// Checks a git signature against the node's trusted keys with the tools git itself uses: OpenSSH's ssh-keygen -Y
/// (find-principals, then verify in the "git" namespace) for SSH signatures, GnuPG's gpgv with a keyring of the
/// *.asc keys for OpenPGP ones: who signed when the signature is good and its key trusted, else why not.
/// The keys are read at every check, so a key removed from the folder is distrusted at once.
/// </summary>
public sealed class SignatureVerifier(string trustedKeys)
{
    private const string SshKeygen = "ssh-keygen";
    private const string Gpgv = "gpgv";

    public SignatureVerdict Check(SignedObject signed)
    {
        if (signed.Signature is not { } signature)
        {
            return SignatureVerdict.Refused($"{signed.What} is not signed");
        }
        var folder = Directory.CreateTempSubdirectory("vigil-verify-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "signature"), signature);
            File.WriteAllBytes(Path.Combine(folder, "payload"), signed.Payload);
            return signature.StartsWith("-----BEGIN SSH SIGNATURE-----", StringComparison.Ordinal) ? Ssh(signed, folder)
                : signature.StartsWith("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal) ? OpenPgp(signed, folder)
                : SignatureVerdict.Refused($"{signed.What}: a signature of a kind Vigil does not check (neither OpenPGP nor SSH)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private SignatureVerdict Ssh(SignedObject signed, string folder)
    {
        var allowed = Path.Combine(folder, "allowed_signers");
        File.WriteAllLines(allowed, Directory.Exists(trustedKeys)
            ? Directory.EnumerateFiles(trustedKeys).Where(f => Path.GetFileName(f) == "allowed_signers" || f.EndsWith(".allowed_signers", StringComparison.Ordinal)).Order().SelectMany(File.ReadAllLines)
            : []);
        var signature = Path.Combine(folder, "signature");
        var (found, principals) = Run(SshKeygen, ["-Y", "find-principals", "-s", signature, "-f", allowed], null);
        var principal = principals.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (found != 0 || principal is null)
        {
            return SignatureVerdict.Refused($"{signed.What} is signed by an SSH key not in the trusted keys ({trustedKeys})");
        }
        var (verified, said) = Run(SshKeygen, ["-Y", "verify", "-f", allowed, "-I", principal, "-n", "git", "-s", signature], Path.Combine(folder, "payload"));
        return verified == 0 ? SignatureVerdict.Trusted($"{principal} (SSH)")
            : SignatureVerdict.Refused($"{signed.What}: bad SSH signature by {principal} ({Last(said)})");
    }

    private SignatureVerdict OpenPgp(SignedObject signed, string folder)
    {
        var keyring = Path.Combine(folder, "trusted.gpg");
        using (var output = File.Create(keyring))
        {
            IEnumerable<string> keys = Directory.Exists(trustedKeys) ? Directory.EnumerateFiles(trustedKeys, "*.asc").Order() : [];
            foreach (var key in keys)
            {
                output.Write(ArmoredKeys.Dearmor(File.ReadAllText(key)));
            }
        }
        var (exit, status) = Run(Gpgv, ["--homedir", folder, "--status-fd", "1", "--keyring", keyring, Path.Combine(folder, "signature"), Path.Combine(folder, "payload")], null);
        var lines = status.Split('\n');
        if (exit == 0 && lines.FirstOrDefault(l => l.StartsWith("[GNUPG:] VALIDSIG ", StringComparison.Ordinal)) is { } valid)
        {
            // "[GNUPG:] GOODSIG <long key id> <user id>", "[GNUPG:] VALIDSIG <fingerprint> ...".
            var user = lines.FirstOrDefault(l => l.StartsWith("[GNUPG:] GOODSIG ", StringComparison.Ordinal))?.Split(' ', 4) is [_, _, _, var name] ? name.Trim() : "?";
            return SignatureVerdict.Trusted($"{user} (OpenPGP {valid.Split(' ')[2]})");
        }
        if (lines.Any(l => l.StartsWith("[GNUPG:] BADSIG ", StringComparison.Ordinal)))
        {
            return SignatureVerdict.Refused($"{signed.What}: bad OpenPGP signature (the signed content was changed)");
        }
        if (lines.Any(l => l.StartsWith("[GNUPG:] ERRSIG ", StringComparison.Ordinal) || l.StartsWith("[GNUPG:] NO_PUBKEY ", StringComparison.Ordinal)))
        {
            return SignatureVerdict.Refused($"{signed.What} is signed by an OpenPGP key not in the trusted keys ({trustedKeys})");
        }
        return SignatureVerdict.Refused($"{signed.What}: OpenPGP signature not verified ({Last(status)})");
    }

    private static string Last(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no reason given";

    /// <summary>Runs a tool with <paramref name="input"/> as its standard input; its exit code and what it printed.</summary>
    private static (int ExitCode, string Output) Run(string tool, IEnumerable<string> arguments, string? input)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                using var file = File.OpenRead(input);
                file.CopyTo(process.StandardInput.BaseStream);
            }
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{tool} could not be run: {e.Message} (verifying signatures needs OpenSSH's ssh-keygen and GnuPG's gpgv)");
        }
    }
}
