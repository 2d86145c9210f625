using System.Diagnostics;
using System.Globalization;
using Vigil.Demo;
using Vigil.Core.Planning;
using Vigil.Lab;
using Vigil.Source;
using Vigil.Source.Git;
using Vigil.Tests;

namespace Vigil.Benchmarks;

/// <summary>
/// `gitops`: (1) `vigil plan` between two commits of a repository of 1,000 instances and 10,000 real servers, as the
/// CI process and in process; (2) in the namespace lab, the time from `git commit` to the VIP on the master, with
/// the agents fetching every 1 s (adding and removing a VIP in turn).
/// </summary>
internal static class GitOpsBenchmark
{
    public static int Run(int runs, bool planOnly = false)
    {
        var work = Directory.CreateTempSubdirectory("vigil-bench-gitops-").FullName;
        try
        {
            return Plan(runs, work) ?? (planOnly ? 0 : CommitToVip(runs, work));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static int? Plan(int runs, string work)
    {
        var repository = new GitRepository(Path.Combine(work, "large"));
        var (files, bytes) = LargeConfig.Write(repository.Path, instances: 1000, servers: 1000, realsPerServer: 10, files: 50);
        var baseCommit = repository.Commit("1,000 instances, 10,000 real servers");
        repository.Edit("team-00/part-000.yaml", "      weight: 1\n", "      weight: 7\n");
        repository.Edit("team-00/part-000.yaml", "      priority: 100\n", "      priority: 40\n");
        repository.Edit("team-00/part-001.yaml", "    - address: 2001:db8:100::1/64\n", "    - address: 2001:db8:100::1/64\n    - address: 2001:db8:100::f001/64\n");
        var headCommit = repository.Commit("reweight, demote, one more VIP");
        Console.WriteLine($"gitops plan: {files} files, {bytes / 1024.0 / 1024.0:0.0} MiB, 1000 instances, 10000 real servers; head changes weights, priorities and a VIP");

        // Each commit loaded whole, then the head reusing the base's unchanged files (as `vigil plan` and the agent do).
        var inProcess = new List<double>();
        var incremental = new List<double>();
        var changes = 0;
        var headRead = 0;
        for (var run = 0; run <= runs; run++)
        {
            foreach (var reuse in new[] { false, true })
            {
                var clock = Stopwatch.StartNew();
                using var commits = new LocalCommits(repository.Path);
                var loader = reuse ? DesiredStateLoader.Incremental() : new DesiredStateLoader();
                var before = loader.Load(commits.Files(commits.Resolve(baseCommit).Sha, "")).State;
                var after = loader.Load(commits.Files(commits.Resolve(headCommit).Sha, "")).State!;
                changes = ClusterPlanner.Between(before, after).ChangeCount;
                headRead = loader.FilesRead;
                if (run > 0)
                {
                    (reuse ? incremental : inProcess).Add(clock.Elapsed.TotalMilliseconds); // the first run compiles the code: left out
                }
            }
        }
        var process = new List<double>();
        var (file, prefix) = VigilExecutable.BesideAssembly();
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            using var plan = Process.Start(new ProcessStartInfo(file, [.. prefix, "plan", "--repo", repository.Path, "--base", baseCommit, "--head", headCommit, "-o", "json"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            plan.StandardOutput.ReadToEnd();
            plan.WaitForExit();
            if (plan.ExitCode != 2)
            {
                Console.Error.WriteLine($"gitops: vigil plan exited {plan.ExitCode}: {plan.StandardError.ReadToEnd()}");
                return 1;
            }
            process.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"  {changes} changes planned (both nodes)");
        Console.WriteLine($"  in process (load both commits from git, validate, plan), warm: {Spread.Of(inProcess).Format("ms")}");
        Console.WriteLine($"  the same, the head reusing the base's unchanged files ({headRead} of {files} read): {Spread.Of(incremental).Format("ms")}");
        Console.WriteLine($"  `vigil plan --base --head -o json` process, as in CI:        {Spread.Of(process).Format("ms")}");
        return null;
    }

    private static int CommitToVip(int runs, string work)
    {
        if (FailoverLab.SkipReason is { } reason)
        {
            Console.Error.WriteLine($"gitops: commit to VIP cannot run here: {reason}");
            return 2;
        }
        using var lab = new FailoverLab(new Scenario());
        var origin = new GitRepository(Path.Combine(work, "origin"));
        origin.CopyIn(lab.ConfigFolder, "cluster");
        origin.Commit("two nodes, one VIP");
        lab.VigilSource = node => ["--repo", origin.Path, "--path", "cluster", "--interval", "1s", "--state-dir", Path.Combine(work, node + "-state")];
        try
        {
            Takeover.StartPair(lab, Daemon.Vigil, Daemon.Vigil);
        }
        catch (LabException e)
        {
            Console.Error.WriteLine($"gitops: the pair did not start: {e.Message}");
            return 1;
        }
        Console.WriteLine($"gitops commit -> VIP: agents fetch every 1 s; a commit adds 198.51.100.101, the next removes it; {runs} of each");
        var (added, removed) = (new List<double>(), new List<double>());
        for (var run = 1; run <= runs; run++)
        {
            foreach (var add in new[] { true, false })
            {
                // Commits land at a random point of the fetch interval, as an operator's push would.
                Thread.Sleep(Random.Shared.Next(0, 1000));
                if (add)
                {
                    origin.Edit("cluster/vi_1.yaml", "    - address: 198.51.100.100/24", "    - address: 198.51.100.100/24\n    - address: 198.51.100.101/24");
                }
                else
                {
                    origin.Edit("cluster/vi_1.yaml", "\n    - address: 198.51.100.101/24", "");
                }
                var clock = Stopwatch.StartNew();
                origin.Commit(add ? "add 198.51.100.101" : "remove 198.51.100.101");
                if (!FailoverLab.WaitUntil(() => lab.Lab.Holds(lab.Ka1, "198.51.100.101") == add, TimeSpan.FromSeconds(10)))
                {
                    Console.Error.WriteLine($"gitops: run {run}: the VIP was not {(add ? "added" : "removed")} within 10 s\n{lab.Explain()}");
                    return 1;
                }
                (add ? added : removed).Add(clock.Elapsed.TotalMilliseconds);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run}/{runs}: {(add ? "added" : "removed")} after {clock.Elapsed.TotalMilliseconds:F0} ms"));
            }
        }
        Console.WriteLine($"  commit -> VIP on the master:   {Spread.Of(added).Format("ms")}");
        Console.WriteLine($"  commit -> VIP off the master:  {Spread.Of(removed).Format("ms")}");
        Console.WriteLine("  (from `git commit` returning to `ip addr` showing the change; the 1 s fetch interval is most of it)");
        return 0;
    }
}
