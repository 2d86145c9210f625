using Vigil.Lab;
using Vigil.Cli;
using Vigil.Tests;

namespace Vigil.Agent.Tests;

/// <summary>`vigil demo`, the README's main job, run as a user would: it must show the takeover and leave nothing behind.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_OnTheBasicExample_ShowsTheTakeover_AndRemovesItsNamespaces()
    {
        Skips.IfMissing(FailoverLab.SkipReason);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = VigilCommandLine.Run(["demo", Path.Combine(RepoPaths.Examples, "basic")], output, error);

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        var text = output.ToString();
        Assert.Contains("ka1 holds 198.51.100.100 (master); ka2 is backup", text, StringComparison.Ordinal);
        Assert.Contains("        + vip 198.51.100.101/24 on vi_1", text, StringComparison.Ordinal); // the plan of the commit
        Assert.Matches(@"ka1 holds 198\.51\.100\.101 \d+ ms after the commit, still master \(no transition\); ka2 does not", text);
        Assert.Matches(@"rollback: `vigil rollback --to HEAD~1` made commit [0-9a-f]{12} ""Revert ""add VIP 198\.51\.100\.101""""", text);
        Assert.Matches(@"ka1 dropped 198\.51\.100\.101 \d+ ms after the revert", text);
        Assert.Matches(@"ka2 took over 198\.51\.100\.100 \d+ ms after the kill", text);
        Assert.Contains("longest gap", text, StringComparison.Ordinal);
        Assert.DoesNotContain("vigil-demo", Demo.NamespaceLab.Run("ip", "netns", "list").Output, StringComparison.Ordinal);
    }
}
