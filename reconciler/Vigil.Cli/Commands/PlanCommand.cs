using System.CommandLine;
using Vigil.Cli.Output;
using Vigil.Core.Desired;
using Vigil.Core.Planning;
using Vigil.Source;
using Vigil.Source.Git;

namespace Vigil.Cli.Commands;

/// <summary>
/// `vigil plan`, the dry run. In CI (--base): what every node would see change between two commits, with the head's
/// validation, no node needed. On a node (--node without --base): the IPVS changes against the kernel now.
/// </summary>
internal static class PlanCommand
{
    public const string ExitCodesHelp = "Exit codes (as terraform plan -detailed-exitcode): 0 no changes, 2 changes to make, 1 error (invalid head commit or configuration, no such revision, no IPVS, usage).";

    public static Command Create()
    {
        var repository = new Option<string>("--repo") { Description = "With --base: the git repository to read commits from (default: the current folder's).", DefaultValueFactory = _ => "." };
        var from = new Option<string?>("--base") { Description = "Plan between commits: the revision changes are measured from (origin/main, a tag, a SHA)." };
        var to = new Option<string>("--head") { Description = "With --base: the revision to plan for.", DefaultValueFactory = _ => "HEAD" };
        var folder = new Option<string>("--path") { Description = "With --base: the repository's folder holding the YAML (default: its root).", DefaultValueFactory = _ => "" };
        var node = new NodeOptions();
        node.Node.Required = false;
        node.Node.Description = "Only this node (with --base); on a node, the node whose IPVS table to plan.";
        var output = OutputOption.Create(OutputFormat.Text, OutputFormat.Text, OutputFormat.Json, OutputFormat.Markdown);
        var netns = IpvsCommands.NamespaceOption();
        netns.Description = "On a node: read the addresses and IPVS table of this named network namespace (ip netns) instead of the current one.";
        var statusFile = new Option<string?>("--status-file") { Description = $"On a node: the running agent's status file (default {StatusCommand.DefaultDirectory}/NODE.json)." };
        var stateDirectory = new Option<string?>("--state-dir") { Description = $"On a node: the running agent's --state-dir, where its clone is (default {HistoryCommand.StateRoot}/NODE)." };
        var verify = new VerifyCommitsOptions("With --base: the head must be signed by a trusted key, as agents with the same option require: head (the commit), tag (--head names an annotated tag), tag-and-head (both). In a pull request, plan the request's own head commit, not the merge commit CI makes.");
        var command = new Command("plan",
            "Show what would change; change nothing.\n" +
            "Between commits (CI, no node needed): `vigil plan --base origin/main [--head HEAD] [--repo .] [--path DIR]` prints, per node, VIPs " +
            "added, removed or moved between instances, priority changes and who would become master, real servers added, removed or reweighted, " +
            "scripts and checks changed, and the head commit's validation. --output markdown suits a pull-request comment.\n" +
            "On a node: `vigil plan --node NAME [--config DIR]` shows what applying DIR would change against what runs now: the configuration " +
            "changes since the running agent's commit (read back from its clone), the VIPs a master would add or remove now (the engine's states, " +
            "the kernel's addresses), and the IPVS requests (+ add, ~ edit in place, - delete) against the kernel's table; every real server is " +
            "assumed to pass its health check.\n" + ExitCodesHelp)
        {
            repository,
            from,
            to,
            folder,
            output,
            netns,
            statusFile,
            stateDirectory,
        };
        node.AddTo(command);
        verify.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(verify.Mode) is not null && (result.GetValue(from) is null || result.GetValue(verify.TrustedKeys) is null))
            {
                result.AddError("--verify-commits needs --base and --trusted-keys");
            }
            if (result.GetValue(from) is null && result.GetValue(node.Node) is null)
            {
                result.AddError("give --base (plan between commits) or --node (plan this node against its kernel)");
            }
            if (result.GetValue(from) is null && result.GetValue(output) == OutputFormat.Markdown)
            {
                result.AddError("--output markdown is for plans between commits (--base)");
            }
        });
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            var format = parse.GetValue(output);
            if (parse.GetValue(from) is { } baseRevision)
            {
                return BetweenCommits(parse.GetValue(repository)!, baseRevision, parse.GetValue(to)!, parse.GetValue(folder)!, parse.GetValue(node.Node),
                    verify.Value(parse), format, stdout, error);
            }
            var name = parse.GetValue(node.Node)!;
            return OnNode(parse.GetValue(node.Config)!, name, parse.GetValue(netns), parse.GetValue(statusFile) ?? Path.Combine(StatusCommand.DefaultDirectory, name + ".json"),
                parse.GetValue(stateDirectory) ?? Path.Combine(HistoryCommand.StateRoot, name), format == OutputFormat.Json, stdout, error);
        });
        return command;
    }

    private static int BetweenCommits(string repository, string baseRevision, string headRevision, string folder, string? onlyNode,
        Vigil.Source.Git.Signatures.CommitVerification? verify, OutputFormat format, TextWriter stdout, TextWriter error)
    {
        PlanSide from, to;
        try
        {
            using var commits = new LocalCommits(repository);
            // The head reuses what the base's unchanged files gave.
            var loader = DesiredStateLoader.Incremental();
            PlanSide Side(string revision)
            {
                var commit = commits.Resolve(revision);
                return new PlanSide(revision, commit, loader.Load(commits.Files(commit.Sha, folder), folder));
            }
            from = Side(baseRevision);
            to = Side(headRevision);
            var verdict = verify is null ? null : commits.Verdict(verify, headRevision);
            to = Isolated(commits, folder, from, to) with { Untrusted = verdict?.Refusal, SignedBy = verdict?.SignedBy };
        }
        catch (GitSourceException e)
        {
            error.WriteLine($"vigil: {e.Message}");
            return ExitCodes.Failed;
        }
        ClusterPlan? plan = null;
        if (to.Untrusted is null && (to.Load.State ?? to.Composed?.State) is { } head)
        {
            plan = ClusterPlanner.Between(from.Load.State, head);
            if (onlyNode is not null)
            {
                if (plan.Nodes.All(n => n.Node != onlyNode))
                {
                    error.WriteLine($"vigil: node '{onlyNode}' is in neither commit (nodes: {string.Join(", ", plan.Nodes.Select(n => n.Node))})");
                    return ExitCodes.Failed;
                }
                plan = plan with { Nodes = [.. plan.Nodes.Where(n => n.Node == onlyNode)] };
            }
        }
        switch (format)
        {
            case OutputFormat.Json:
                stdout.WriteLine(JsonText.Of(ClusterPlanPrinter.Json(from, to, plan)));
                break;
            case OutputFormat.Markdown:
                ClusterPlanPrinter.Markdown(stdout, from, to, plan);
                break;
            default:
                ClusterPlanPrinter.Text(Terminal.ForStandardOutput(stdout), from, to, plan);
                break;
        }
        // A head with held units is still an invalid head: CI fails it, though the plan shows what nodes would do.
        return plan is null || to.Held.Count > 0 ? ExitCodes.Failed : plan.IsEmpty ? ExitCodes.Ok : ExitCodes.Changes;
    }

    /// <summary>
    /// With <c>faultIsolation: topLevelFolders</c> in the base's Cluster, an invalid head is planned as nodes would apply
    /// it: its invalid units (and what depends on them) kept at the base, the rest advancing.
    /// </summary>
    private static PlanSide Isolated(LocalCommits commits, string folder, PlanSide from, PlanSide to)
    {
        if (to.Load.IsValid || from.Load.State?.ClusterSpec.FaultIsolation != FaultIsolation.TopLevelFolders)
        {
            return to;
        }
        var baseFiles = commits.Files(from.Commit.Sha, folder);
        var head = new SourceRevision(to.Commit.Sha, to.Commit.Subject, commits.Files(to.Commit.Sha, folder)) { Root = folder };
        var isolated = UnitIsolation.Compose(head, to.Load, unit => new UnitVersion(from.Commit.Sha,
            [.. baseFiles.Where(f => UnitIsolation.UnitOf(f.Path, folder) == unit)]), new DesiredStateLoader());
        return isolated is null ? to : to with { Held = isolated.Held, Composed = isolated.Load };
    }

    private static int OnNode(string path, string name, string? netns, string statusPath, string stateDirectory, bool json, TextWriter stdout, TextWriter error)
    {
        if (NodeOptions.LoadCluster(path, name, error, out _) is not { } config)
        {
            return ExitCodes.Failed; // plan's 2 means changes: every error is 1
        }
        var status = AgentStatusFileOptions.Read(statusPath);
        if (AgentStatusFileOptions.RunningAgent(status) is null)
        {
            status = null; // no agent, or a stale file
        }
        IpvsPlan? ipvs = null;
        var servers = NodeProjection.For(config, name).VirtualServers;
        // Only the services Vigil made on this node may be removed (the agent's record, in its state directory).
        var owned = Vigil.Agent.IpvsOwnershipFile.Load(Path.Combine(stateDirectory, Vigil.Agent.IpvsOwnershipFile.FileName));
        if (servers.Count > 0 || owned.Services.Count > 0)
        {
            using var kernel = IpvsCommands.Open(netns, error);
            if (kernel is null)
            {
                return ExitCodes.Failed;
            }
            ipvs = IpvsPlanner.Plan(servers.Select(v => v.Spec), kernel.Read(), owned: owned);
        }
        var plan = NodeObservedPlan.Build(config, name, status, stateDirectory, NodeObservedPlan.KernelAddresses(netns), ipvs);
        if (json)
        {
            stdout.WriteLine(JsonText.Of(plan.ToJson()));
        }
        else
        {
            plan.Print(Terminal.ForStandardOutput(stdout));
        }
        return plan.ChangeCount == 0 ? ExitCodes.Ok : ExitCodes.Changes;
    }
}
