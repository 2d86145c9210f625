using Vigil.Core.Desired;
using Vigil.Core.Validation;
using static Vigil.Core.Tests.TestStates;

namespace Vigil.Core.Tests.Validation;

public class TrackProcessRulesTests
{
    private static IReadOnlyList<Diagnostic> Check(params TrackProcessSpec[] tracks) =>
        SemanticValidator.Validate(State(null, Instance(ka1: 100, ka2: 80) with { TrackProcesses = [.. tracks] }));

    [Fact]
    public void Plain_IsClean() =>
        Assert.Empty(Check(new TrackProcessSpec { Process = "haproxy" }, new TrackProcessSpec { Process = "/usr/sbin/nginx", FullCommand = true, Quorum = 0, QuorumMax = 0 }));

    [Fact]
    public void ANameLongerThanTheKernelKeeps_IsAnError_UnlessTheCommandLineIsMatched()
    {
        var d = Assert.Single(Check(new TrackProcessSpec { Process = "keepalived-exporter" }));
        Assert.Equal(("spec.trackProcesses[0].process", "process-name-length"), (d.Field, d.Rule));
        Assert.Equal("'keepalived-exporter' is longer than the 15 characters the kernel keeps of a process name, so it would never match: " +
            "write 'keepalived-expo', or set fullCommand: true to match the command line", d.Message);
        Assert.Empty(Check(new TrackProcessSpec { Process = "keepalived-exporter", Arguments = ["--web.listen-address=:9165"] }));
    }

    [Fact]
    public void APathAsAName_IsAnError()
    {
        var d = Assert.Single(Check(new TrackProcessSpec { Process = "/usr/sbin/haproxy" }));
        Assert.Equal("process-name-path", d.Rule);
        Assert.Contains("write 'haproxy'", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 1, "spec.trackProcesses[0].quorumMax")]
    [InlineData(0, null, "spec.trackProcesses[0].quorum")]
    [InlineData(0, 3, "spec.trackProcesses[0].quorum")]
    public void AQuorumThatCannotHold_OrAlwaysHolds_IsAnError(int quorum, int? max, string field)
    {
        var d = Assert.Single(Check(new TrackProcessSpec { Process = "worker", Quorum = quorum, QuorumMax = max }));
        Assert.Equal(("quorum-range", field), (d.Rule, d.Field));
    }

    [Fact]
    public void DelaysAboveAnHour_AndTheSameTrackTwice_AreErrors()
    {
        var track = new TrackProcessSpec { Process = "haproxy", TerminateDelay = TimeSpan.FromSeconds(3601) };
        Assert.Equal(["track-process-delay", "track-process-delay", "track-process-duplicate"], Check(track, track).Select(d => d.Rule));
    }

    [Theory]
    [InlineData(-20, false, true)] // 100 - 20 = 80 ties with the backup
    [InlineData(-21, false, false)]
    [InlineData(20, true, true)] // reversed: 20 is taken off while it runs
    [InlineData(0, false, false)]
    public void AWeightTooSmallForAFailover_Warns(int weight, bool reverse, bool warns) =>
        Assert.Equal(warns, Check(new TrackProcessSpec { Process = "haproxy", Weight = weight, Reverse = reverse })
            .Any(d => d.Rule == "weight-too-small" && d.Field == "spec.trackProcesses[0].weight"));
}
