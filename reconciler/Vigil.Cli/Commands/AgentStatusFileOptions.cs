using Vigil.Agent;
using System.CommandLine;

namespace Vigil.Cli.Commands;

/// <summary>--node NAME or --status-file FILE: which running agent a command talks to (reconcile, drift), and reading its status file.</summary>
internal sealed class AgentStatusFileOptions
{
    public Option<string?> Node { get; } = new("--node", "-n") { Description = $"The node whose agent to use (its status file {StatusCommand.DefaultDirectory}/NODE.json)." };

    public Option<string?> StatusFile { get; } = new("--status-file") { Description = "The agent's --status-file, when not the default." };

    public void AddTo(Command command)
    {
        command.Options.Add(Node);
        command.Options.Add(StatusFile);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Node) is null && result.GetValue(StatusFile) is null)
            {
                result.AddError("give --node (or --status-file)");
            }
        });
    }

    public string PathOf(ParseResult parse) =>
        parse.GetValue(StatusFile) ?? Path.Combine(StatusCommand.DefaultDirectory, parse.GetValue(Node)! + ".json");

    /// <summary>The pid a status file names when that process is still a running vigil agent; null for no file or a stale one.</summary>
    public static int? RunningAgent(StatusDocument? status) =>
        status is { Pid: var pid } && Vigil.Agent.AgentStatus.IsRunning(pid) ? pid : null;

    /// <summary>The status, or null (with the reason when <paramref name="error"/> is given) when it cannot be read or is of a newer format.</summary>
    public static StatusDocument? Read(string path, TextWriter? error = null)
    {
        try
        {
            return StatusDocument.Read(path);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            error?.WriteLine($"vigil: {path}: {e.Message}");
            return null;
        }
    }
}
