using Vigil.Core.Desired;

namespace Vigil.Core.Validation;

/// <summary>keepalived's limits on vrrp_track_process, and the mistakes that make one never match.</summary>
internal static class TrackProcessRules
{
    /// <summary>The kernel keeps 15 characters of a process name (TASK_COMM_LEN less its NUL).</summary>
    public const int ProcessNameLength = 15;

    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1); // keepalived's limit

    public static void Check(Resource<VrrpInstanceSpec> instance, DiagnosticBag bag)
    {
        var tracks = instance.Spec.TrackProcesses;
        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            var at = $"spec.trackProcesses[{i}]";
            if (!track.MatchesCommandLine && track.Process.Contains('/'))
            {
                bag.Error(instance.Origin, $"{at}.process", "process-name-path",
                    $"a process name has no '/': '{track.Process}' is a path, which only the command line has; set fullCommand: true, or write '{Path.GetFileName(track.Process)}'");
            }
            else if (!track.MatchesCommandLine && track.Process.Length > ProcessNameLength)
            {
                bag.Error(instance.Origin, $"{at}.process", "process-name-length",
                    $"'{track.Process}' is longer than the {ProcessNameLength} characters the kernel keeps of a process name, so it would never match: " +
                    $"write '{track.Process[..ProcessNameLength]}', or set fullCommand: true to match the command line");
            }
            if (track.QuorumMax is { } max && max < track.Quorum)
            {
                bag.Error(instance.Origin, $"{at}.quorumMax", "quorum-range", $"quorumMax {max} is below quorum {track.Quorum}: no count could hold the quorum");
            }
            if (track.Quorum == 0 && track.QuorumMax != 0)
            {
                bag.Error(instance.Origin, $"{at}.quorum", "quorum-range", "quorum 0 always holds; for 'the process must not run' write quorumMax: 0");
            }
            foreach (var (field, delay) in new[] { ("forkDelay", track.ForkDelay), ("terminateDelay", track.TerminateDelay) })
            {
                if (delay > MaxDelay)
                {
                    bag.Error(instance.Origin, $"{at}.{field}", "track-process-delay", $"{field} {Durations.Format(delay)} is above keepalived's limit of 3600s");
                }
            }
            var duplicate = tracks.Take(i).ToList().FindIndex(t => t == track);
            if (duplicate >= 0)
            {
                bag.Error(instance.Origin, at, "track-process-duplicate", $"the same as spec.trackProcesses[{duplicate}]: it would count twice");
            }
        }
    }
}
