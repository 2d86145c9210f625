using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Health.Tests;

/// <summary>vrrp_script as keepalived counts it: fall failures in a row to fail, rise successes in a row to recover; a hung script is killed.</summary>
public sealed class VrrpScriptTests
{
    private static readonly ILogger Quiet = new LoggerConfiguration().CreateLogger();
    private static readonly ScriptExit Ok = new(0, "exit 0");
    private static readonly ScriptExit Failed = new(1, "exit 1");

    [Fact]
    public void FallAndRise_CountConsecutiveResults()
    {
        var states = new VrrpScriptStates(Quiet);
        var changes = new List<bool>();
        states.Changed += (_, healthy) => changes.Add(healthy);
        var check = new VrrpScriptCheck("chk_haproxy", new VrrpScriptSpec { Script = "true", Fall = 2, Rise = 3 }, states);

        check.Record(Failed);
        Assert.True(states.IsHealthy("chk_haproxy")); // one failure of two
        check.Record(Ok);
        check.Record(Failed);
        Assert.True(states.IsHealthy("chk_haproxy")); // not in a row
        check.Record(Failed);
        Assert.False(states.IsHealthy("chk_haproxy"));
        check.Record(Ok);
        check.Record(Ok);
        Assert.False(states.IsHealthy("chk_haproxy")); // two of three
        check.Record(Ok);

        Assert.True(states.IsHealthy("chk_haproxy"));
        Assert.Equal([false, true], changes);
        Assert.Equal("exit 0, 3 success(es) in a row", states.All()["chk_haproxy"].Reason);
    }

    [Fact]
    public async Task HungScript_IsKilledAtItsTimeout_AndCountsAsAFailure()
    {
        var states = new VrrpScriptStates(Quiet);
        var check = new VrrpScriptCheck("chk_slow", new VrrpScriptSpec { Script = "sleep 5", Timeout = TimeSpan.FromMilliseconds(300) }, states);

        await check.RunAsync(TestContext.Current.CancellationToken);

        Assert.False(states.IsHealthy("chk_slow"));
        Assert.Equal("sleep killed after 300ms (timeout), 1 failure(s) in a row", states.All()["chk_slow"].Reason);
    }
}
