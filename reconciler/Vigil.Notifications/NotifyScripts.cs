using Serilog;
using Vigil.Core.Desired;
using Vigil.Health;

namespace Vigil.Notifications;

/// <summary>A transition as keepalived's notify scripts see it: TYPE (INSTANCE or GROUP), NAME, STATE (MASTER, BACKUP, FAULT, STOP), PRIORITY.</summary>
public sealed record TransitionNotice(string Type, string Name, string State, int Priority);

/// <summary>
/// Runs keepalived's notify hooks for a transition, unchanged so that existing scripts work: the per-state hook
/// (notify_master, notify_backup, notify_fault, notify_stop) with no arguments, and <c>notify</c> (<see cref="NotifySpec.Any"/>)
/// with TYPE NAME STATE PRIORITY appended, as the spec's user and group; and the real-server and quorum hooks
/// (<see cref="Hook"/>). Each runs on its own task, killed at the timeout, so a slow or hung
/// script never delays the engine or the next notification; its failure is logged.
/// </summary>
public sealed class NotifyScripts(ILogger log, TimeSpan timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The scripts started for <paramref name="notice"/> (for tests to wait on); empty when the spec names none.</summary>
    public IReadOnlyList<Task> Run(TransitionNotice notice, NotifySpec? spec)
    {
        if (spec is null)
        {
            return [];
        }
        var hook = notice.State switch
        {
            "MASTER" => spec.OnMaster,
            "BACKUP" => spec.OnBackup,
            "FAULT" => spec.OnFault,
            "STOP" => spec.OnStop,
            _ => null,
        };
        var lines = new List<string>();
        if (hook is not null)
        {
            lines.Add(hook);
        }
        if (spec.Any is { } any)
        {
            lines.Add($"{any} {notice.Type} {Quoted(notice.Name)} {notice.State} {notice.Priority}");
        }
        return [.. lines.Select(line => Hook(line, spec.User, spec.Group, $"{notice.Name} {notice.State}"))];
    }

    /// <summary>
    /// Starts one hook as <paramref name="user"/> (the agent's own when null) on its own task, returned for the caller
    /// to wait on at exit; <paramref name="context"/> says what it is for in the log when it fails.
    /// </summary>
    public Task Hook(string line, string? user, string? group, string context) => Task.Run(() => RunOne(line, user, group, context));

    private async Task RunOne(string line, string? user, string? group, string context)
    {
        var exit = await ScriptProcess.RunAsync(line, user, group, timeout, CancellationToken.None).ConfigureAwait(false);
        if (!exit.Succeeded)
        {
            log.Warning("notify {Script} for {Context}: {Reason}", line, context, exit.Reason);
        }
    }

    // Instance names are [A-Za-z0-9_.-]: quoting is for safety only, the script sees the plain name.
    private static string Quoted(string word) => word.Contains('\'', StringComparison.Ordinal) ? word : $"'{word}'";
}
