using System.Diagnostics;

namespace Vigil.Tests;

/// <summary>
/// Keys made once for the tests: OpenPGP ones with GnuPG (each in a home of its own), SSH ones with ssh-keygen; one of
/// each kind trusted (in the node's folder of trusted keys), one not.
/// </summary>
public sealed class SigningKeys : IDisposable
{
    public SigningKeys()
    {
        Trusted = Directory.CreateDirectory(Path.Combine(Folder, "trusted")).FullName;
        foreach (var name in new[] { "ops", "stranger" })
        {
            Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", Path.Combine(Folder, $"{name}-ssh")]);
            var home = Directory.CreateDirectory(Path.Combine(Folder, $"{name}-gnupg")).FullName;
            Run("gpg", ["--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", $"{name} <{name}@example.org>", "ed25519", "sign", "never"]);
            // git runs gpg.program with no way to name a home: a wrapper gives it this key's.
            var wrapper = Path.Combine(Folder, $"{name}-gpg");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec gpg --homedir '{home}' \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
        }
        File.WriteAllText(Path.Combine(Trusted, "ops.asc"), Run("gpg", ["--homedir", Path.Combine(Folder, "ops-gnupg"), "--armor", "--export", "ops@example.org"]));
        File.WriteAllText(Path.Combine(Trusted, "allowed_signers"), $"ops@example.org namespaces=\"git\" {File.ReadAllText(Path.Combine(Folder, "ops-ssh.pub")).Trim()}\n");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("vigil-keys-").FullName;

    /// <summary>The node's folder of trusted keys: ops's OpenPGP key (ops.asc) and SSH key (allowed_signers).</summary>
    public string Trusted { get; }

    /// <summary>git's options to sign as <paramref name="who"/> with the key of <paramref name="format"/>.</summary>
    public string[] Signing(string format, string who) => format == "ssh"
        ? ["-c", "gpg.format=ssh", "-c", $"user.signingkey={Path.Combine(Folder, who + "-ssh.pub")}"]
        : ["-c", "gpg.format=openpgp", "-c", $"gpg.program={Path.Combine(Folder, who + "-gpg")}", "-c", $"user.signingkey={who}@example.org"];

    internal static string Run(string tool, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)}: {error.Result}");
    }

    public void Dispose()
    {
        foreach (var name in new[] { "ops", "stranger" })
        {
            // gpg started an agent for each home: stop it (ours, by its home).
            try { Run("gpgconf", ["--homedir", Path.Combine(Folder, $"{name}-gnupg"), "--kill", "gpg-agent"]); } catch (InvalidOperationException) { }
        }
        Directory.Delete(Folder, recursive: true);
    }
}
