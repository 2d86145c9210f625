using System.Diagnostics;

namespace Vigil.Tests;

/// <summary>
/// A process whose command line reads `vigil agent` (a shell script named vigil, waiting on its input), for tests of
/// the commands that look for a running agent by the pid in its status file; or, with <c>asAgent: false</c>, any other
/// process, whose pid a stale status file may name. Killed by its pid at the end.
/// </summary>
internal sealed class StandInAgent : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigil-standin-").FullName;
    private readonly Process _process;

    public StandInAgent(bool asAgent = true)
    {
        var script = Path.Combine(_folder, asAgent ? "vigil" : "other");
        File.WriteAllText(script, "#!/bin/sh\nread -r _\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _process = Start(new ProcessStartInfo(script, asAgent ? ["agent", "--node", "ka1"] : ["serve"]) { RedirectStandardInput = true });
    }

    /// <summary>
    /// Starts the script just written. Another test thread forking at that moment holds the file open for writing until
    /// its child execs, and exec then fails with ETXTBSY ("Text file busy", seen in CI): that moment passes, so retry.
    /// </summary>
    private static Process Start(ProcessStartInfo start)
    {
        const int TextFileBusy = 26;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < 50)
            {
                Thread.Sleep(10);
            }
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
