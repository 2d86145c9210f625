using System.Diagnostics;
using Vigil.Tests;

namespace Vigil.Source.Tests.Git;

/// <summary>
/// OpenSSH's sshd on loopback with a configuration of its own (host key, one authorized key, no passwords): the
/// server a key file is checked against; git over SSH runs git-upload-pack through it. Killed by its pid.
/// </summary>
internal sealed class SshServer : IDisposable
{
    // test/run extracts sshd from Debian's package without installing it (which would start an sshd on port 22).
    private static readonly string Sshd = Environment.GetEnvironmentVariable("VIGIL_TEST_SSHD") is { Length: > 0 } extracted && File.Exists(extracted)
        ? extracted : "/usr/sbin/sshd";
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    public SshServer(string directory, string authorizedKey)
    {
        Directory.CreateDirectory(directory);
        Port = FreePort.Next();
        KeyGen(Path.Combine(directory, "host_key"));
        File.WriteAllText(Path.Combine(directory, "authorized_keys"), File.ReadAllText(authorizedKey + ".pub"));
        var config = Path.Combine(directory, "sshd_config");
        File.WriteAllText(config, $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {directory}/host_key
            AuthorizedKeysFile {directory}/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PidFile {directory}/sshd.pid
            """);
        // sshd's privilege separation needs this directory; a machine that runs no sshd may not have it.
        Directory.CreateDirectory("/run/sshd");
        _process = Process.Start(new ProcessStartInfo(Sshd, ["-D", "-e", "-f", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _errors.Enqueue(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var waited = Stopwatch.StartNew();
        while (!FreePort.Accepts(Port))
        {
            // sshd refuses to start without its privilege-separation user (test/run creates it): say so, not "timed out".
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"sshd did not start listening on {Port} ({(_process.HasExited ? $"exit {_process.ExitCode}" : "still running")}): {string.Join(" | ", _errors)}");
            }
            Thread.Sleep(50);
        }
    }

    public static string? SkipReason =>
        !File.Exists(Sshd) ? "OpenSSH's sshd is not here (test/run extracts it from Debian's openssh-server package)"
        : Environment.UserName != "root" ? "sshd needs root here" : null;

    public int Port { get; }

    /// <summary>A new passphrase-less ed25519 key pair at <paramref name="path"/> (and .pub).</summary>
    public static void KeyGen(string path)
    {
        using var keygen = Process.Start(new ProcessStartInfo("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]) { RedirectStandardOutput = true })!;
        keygen.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
