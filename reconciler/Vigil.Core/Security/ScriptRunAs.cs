using Vigil.Core.Desired;

namespace Vigil.Core.Security;

/// <summary>
/// Who runs a node's scripts that name no user of their own (keepalived's script_user): the Cluster's
/// <c>scripts.user</c>, else, when the agent is root, never root: <see cref="DefaultAccount"/> if the node has it,
/// else <c>nobody</c>. Null fields mean the agent's own identity (an agent that is not root runs scripts as itself).
/// </summary>
public sealed record ScriptRunAs(string? User, string? Group)
{
    /// <summary>The account an operator creates for scripts (as keepalived's keepalived_script).</summary>
    public const string DefaultAccount = "vigil-script";

    public static readonly ScriptRunAs Agent = new(null, null);

    /// <param name="accountExists">Whether the node has an account of that name (the caller looks, at the edge).</param>
    public static ScriptRunAs For(ScriptsSpec? configured, bool agentIsRoot, Func<string, bool> accountExists)
    {
        if (configured?.User is { } user)
        {
            return new(user, configured.Group);
        }
        if (!agentIsRoot)
        {
            return new(null, configured?.Group);
        }
        return new(accountExists(DefaultAccount) ? DefaultAccount : "nobody", configured?.Group);
    }

    /// <summary>A script's own user and group, or these when it names no user.</summary>
    public (string? User, string? Group) Of(string? user, string? group) => user is null ? (User, group ?? Group) : (user, group);

    public NotifySpec? Fill(NotifySpec? notify) => notify is null ? null : Apply(notify, notify.User, notify.Group, (n, u, g) => n with { User = u, Group = g });

    public VrrpScriptSpec Fill(VrrpScriptSpec script) => Apply(script, script.User, script.Group, (s, u, g) => s with { User = u, Group = g });

    /// <summary>The virtual server's hooks (quorum, real servers' up/down) and each real server's misc check.</summary>
    public VirtualServerSpec Fill(VirtualServerSpec server) => server with
    {
        Notify = server.Notify is { } notify ? Apply(notify, notify.User, notify.Group, (n, u, g) => n with { User = u, Group = g }) : null,
        RealServers = [.. server.RealServers.Select(r => r with
        {
            HealthCheck = r.HealthCheck is { } one ? Fill(one) : null,
            HealthChecks = [.. r.HealthChecks.Select(Fill)],
        })],
    };

    private HealthCheckSpec Fill(HealthCheckSpec check) =>
        check.Misc is { } misc ? check with { Misc = misc with { User = Of(misc.User, null).User } } : check;

    private T Apply<T>(T spec, string? user, string? group, Func<T, string?, string?, T> with)
    {
        var (u, g) = Of(user, group);
        return u == user && g == group ? spec : with(spec, u, g);
    }
}
