using Vigil.Agent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Vigil.Cli.Commands;

/// <summary>
/// `vigil reconcile`: asks a running agent to fetch and apply now (SIGUSR1 to the pid in its status file) and
/// waits for its answer in the status file.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var agent = new AgentStatusFileOptions();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the agent's answer.", DefaultValueFactory = _ => 60 };
        var command = new Command("reconcile",
            "Make a running agent fetch its repository (or re-read its folder) and apply what is new now, rather than at its next interval; " +
            "print the commit it runs and the outcome.\nExit codes: 0 applied (or nothing new), 1 refused, partly applied, no answer or no agent, 2 usage error.")
        {
            timeout,
        };
        agent.AddTo(command);
        command.SetAction(parse =>
        {
            var path = agent.PathOf(parse);
            var error = parse.InvocationConfiguration.Error;
            var before = AgentStatusFileOptions.Read(path);
            if (before is null || AgentStatusFileOptions.RunningAgent(before) is not { } pid)
            {
                error.WriteLine($"vigil: no running agent found through {path}");
                return ExitCodes.Failed;
            }
            var previous = before.Source.AttemptedAt;
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-USR1", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!)
            {
                kill.WaitForExit();
                if (kill.ExitCode != 0)
                {
                    error.WriteLine($"vigil: cannot signal agent {pid}: {kill.StandardError.ReadToEnd().Trim()}");
                    return ExitCodes.Failed;
                }
            }
            var waited = Stopwatch.StartNew();
            SourceDocument? source = null;
            while (waited.Elapsed < TimeSpan.FromSeconds(parse.GetValue(timeout)))
            {
                source = AgentStatusFileOptions.Read(path)?.Source;
                if (source is not null && source.AttemptedAt != previous)
                {
                    break;
                }
                Thread.Sleep(50);
            }
            if (source is null || source.AttemptedAt == previous)
            {
                error.WriteLine($"vigil: agent {pid} did not answer within {parse.GetValue(timeout)} s");
                return ExitCodes.Failed;
            }
            var commit = source.Commit;
            var outcome = source.LastOutcome;
            parse.InvocationConfiguration.Output.WriteLine(
                $"{before.Node}: running {(commit is null ? "its folder" : $"commit {Vigil.Source.Git.GitSource.Short(commit)} \"{source.Subject}\"")}, last outcome {outcome}");
            if (source.LastError is { } lastError)
            {
                error.WriteLine($"vigil: {lastError}");
                return ExitCodes.Failed;
            }
            return outcome == "applied" ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
