using System.Text.Json.Nodes;
using Vigil.Cli;
using Vigil.Tests;

namespace Vigil.Ipvs.Tests;

/// <summary>`vigil plan` and `vigil apply` on a node, against the guest kernel's IPVS, with the lvs-dr example.</summary>
[Trait(IpvsGuest.Trait, IpvsGuest.Value)]
public sealed class PlanApplyCommandTests
{
    private static readonly string Example = Path.Combine(RepoPaths.Root, "examples", "lvs-dr");

    private static (int ExitCode, string Output, string Error) Vigil(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = VigilCommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void PlanApplyPlan_ShowsTheDiff_AppliesIt_ThenHasNothingToDo()
    {
        using var guest = new IpvsGuest();

        var plan = Vigil("plan", "--config", Example, "--node", "ka1", "--netns", guest.Namespace);
        Assert.Equal((2, ""), (plan.ExitCode, plan.Error));
        Assert.Equal(
            """
            node ka1: no agent runs: VRRP is not running here (`vigil agent` starts it); `vigil apply` programs IPVS
            IPVS:
              + service TCP 198.51.100.100:80: scheduler rr
              + destination 198.51.100.21:80 of TCP 198.51.100.100:80: DR, weight 1
              + destination 198.51.100.22:80 of TCP 198.51.100.100:80: DR, weight 1
            Plan: 3 change(s).

            """, plan.Output.ReplaceLineEndings("\n"));
        Assert.Empty(guest.Ipvsadm("-Sn").Trim());

        var json = JsonNode.Parse(Vigil("plan", "--config", Example, "--node", "ka1", "--netns", guest.Namespace, "--output", "json").Output)!;
        Assert.Equal(3, json["ipvs"]!["summary"]!["add"]!.GetValue<int>());
        Assert.Equal("DR", json["ipvs"]!["changes"]![1]!["after"]!["forwarding"]!.GetValue<string>());

        var apply = Vigil("apply", "--config", Example, "--node", "ka1", "--netns", guest.Namespace);
        Assert.Equal(0, apply.ExitCode);
        Assert.EndsWith("node ka1: applied 3, failed 0, skipped 0: converged.\n", apply.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("-A -t 198.51.100.100:80 -s rr\n-a -t 198.51.100.100:80 -r 198.51.100.21:80 -g -w 1\n-a -t 198.51.100.100:80 -r 198.51.100.22:80 -g -w 1\n",
            guest.Ipvsadm("-Sn"));

        var again = Vigil("plan", "--config", Example, "--node", "ka1", "--netns", guest.Namespace);
        Assert.Equal(0, again.ExitCode);
        Assert.EndsWith("IPVS: no changes\nNo changes.\n", again.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AfterAWeightEdit_IsOneInPlaceChange_AndAnInvalidConfigAppliesNothing()
    {
        using var guest = new IpvsGuest();
        Assert.Equal(0, Vigil("apply", "--config", Example, "--node", "ka1", "--netns", guest.Namespace).ExitCode);
        var copy = Directory.CreateTempSubdirectory("vigil-lvs-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Example))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }
            var web = Path.Combine(copy, "web.yaml");
            File.WriteAllText(web, File.ReadAllText(web).Replace("      port: 80\n      healthCheck:\n        tcp", "      port: 80\n      weight: 3\n      healthCheck:\n        tcp", StringComparison.Ordinal));

            var plan = Vigil("plan", "-c", copy, "-n", "ka1", "--netns", guest.Namespace);
            Assert.Equal(2, plan.ExitCode);
            Assert.Contains("IPVS:\n  ~ destination 198.51.100.22:80 of TCP 198.51.100.100:80: weight 1 -> 3\nPlan: 1 change(s).", plan.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);

            File.WriteAllText(web, File.ReadAllText(web).Replace("scheduler: rr", "scheduler: roundrobin", StringComparison.Ordinal));
            var before = guest.Ipvsadm("-Sn");
            var refused = Vigil("apply", "-c", copy, "-n", "ka1", "--netns", guest.Namespace);
            Assert.Equal(1, refused.ExitCode);
            Assert.Matches(@"web\.yaml:\d+:\d+: error: .*scheduler", refused.Error);
            Assert.Equal(before, guest.Ipvsadm("-Sn"));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
