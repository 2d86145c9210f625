using System.Globalization;
using Vigil.Lab;
using Vigil.Lab.Chaos;

namespace Vigil.Benchmarks;

/// <summary>
/// `chaos`: the chaos suite's faults in full (the tests run them shortened), each on a fresh lab for a Vigil pair, a
/// keepalived pair and both mixes, and a table of what each did: takeovers expected and seen, the longest two-master
/// time on the wire, the longest time no node's kernel held the VIP and two did, the worst advert lateness, the
/// client's longest outage, and the rules that did not hold.
/// </summary>
internal static class ChaosBenchmark
{
    private sealed record Fault(string Name, Func<Daemon, Daemon, ChaosOutcome> Run);

    private static readonly (Daemon Ka1, Daemon Ka2)[] Pairs =
        [(Daemon.Vigil, Daemon.Vigil), (Daemon.Keepalived, Daemon.Keepalived), (Daemon.Vigil, Daemon.Keepalived), (Daemon.Keepalived, Daemon.Vigil)];

    private static readonly bool[] MasterFirst = [true, false];

    public static int Run(int runs, bool quick, string? only)
    {
        if ((FailoverLab.KeepalivedSkipReason ?? NodeFaults.SkipReason) is { } reason)
        {
            Console.Error.WriteLine($"chaos: cannot run here: {reason}");
            return 2;
        }
        TimeSpan S(int full, int shortened) => TimeSpan.FromSeconds(quick ? shortened : full);
        Fault[] faults =
        [
            new("lossy-1s", (a, b) => ChaosScenarios.LossyLink(a, b, "1s", S(60, 15))),
            new("lossy-100ms", (a, b) => ChaosScenarios.LossyLink(a, b, "100ms", S(60, 15))),
            new("one-way", (a, b) => ChaosScenarios.OneWayLoss(a, b, S(10, 3))),
            new("gray", (a, b) => ChaosScenarios.GrayFailure(a, b, TimeSpan.FromSeconds(5))),
            new("cpu", (a, b) => ChaosScenarios.CpuStarvation(a, b, S(300, 20))),
            new("flaps", (a, b) => ChaosScenarios.LinkFlaps(a, b, TimeSpan.FromMilliseconds(200), S(10, 10))),
            new("tracked-flaps", (a, b) => ChaosScenarios.LinkFlaps(a, b, TimeSpan.FromMilliseconds(200), S(10, 5), tracked: true)),
            new("flood", (a, b) => ChaosScenarios.Flood(a, b, quick ? 20_000 : 200_000)),
            // The change-order table: each kind of change reaching the master first, then the backup first.
            .. RolloutChange.All.SelectMany(change => MasterFirst.Select(masterFirst =>
                new Fault($"rollout-{change.Name}-{(masterFirst ? "master" : "backup")}-first", (a, b) => Rollout.Run(a, b, change, masterFirst)))),
        ];
        // --fault rollout runs every rollout.
        var chosen = faults.Where(f => only is null || f.Name == only || f.Name.StartsWith(only + "-", StringComparison.Ordinal)).ToList();
        if (chosen.Count == 0)
        {
            Console.Error.WriteLine($"chaos: no fault '{only}'; faults: {string.Join(", ", faults.Select(f => f.Name))}");
            return 2;
        }
        Console.WriteLine($"chaos: {runs} run(s) of each fault per pair (ka1 priority 100 / ka2 80){(quick ? ", shortened as in the tests" : "")}");
        var rows = new List<string[]>();
        foreach (var fault in chosen)
        {
            foreach (var (ka1, ka2) in Pairs)
            {
                var outcomes = new List<ChaosOutcome>();
                for (var run = 1; run <= runs; run++)
                {
                    try
                    {
                        outcomes.Add(fault.Run(ka1, ka2));
                    }
                    catch (LabException e)
                    {
                        Console.Error.WriteLine($"chaos: {fault.Name}, {ka1}/{ka2}, run {run}: the lab did not get going: {e.Message.Split('\n')[0]}");
                        continue;
                    }
                    var last = outcomes[^1];
                    Console.Error.WriteLine($"  {last.Fault}, {last.Pair}, run {run}/{runs}: takeovers {last.Figures.Takeovers}, {(last.Broken.Count == 0 ? "all rules held" : string.Join("; ", last.Broken))}");
                }
                if (outcomes.Count > 0)
                {
                    rows.Add(Row(outcomes));
                }
            }
        }
        Print(rows);
        return 0;
    }

    private static string[] Row(List<ChaosOutcome> outcomes)
    {
        static string Ms(IEnumerable<TimeSpan> values) => values.Max().TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var first = outcomes[0];
        var broken = outcomes.SelectMany(o => o.Broken).Distinct().ToList();
        return
        [
            first.Fault, first.Pair, outcomes.Count.ToString(CultureInfo.InvariantCulture),
            $"{first.TakeoversExpected?.ToString(CultureInfo.InvariantCulture) ?? "-"}/{string.Join(",", outcomes.Select(o => o.Figures.Takeovers))}",
            first.TakeoversExpected is null ? "-" : outcomes.Sum(o => o.FalseTakeovers ?? 0).ToString(CultureInfo.InvariantCulture),
            Ms(outcomes.Select(o => o.Figures.LongestDualMaster)),
            Ms(outcomes.Select(o => o.Figures.LongestWithoutVip)),
            Ms(outcomes.Select(o => o.Figures.LongestVipOnTwo)),
            outcomes.Max(o => o.Figures.WorstAdvertLateness).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture),
            Ms(outcomes.Select(o => o.ClientOutage)),
            broken.Count == 0 ? "all held" : string.Join("; ", broken),
        ];
    }

    private static void Print(List<string[]> rows)
    {
        string[] header = ["fault", "pair (ka1/ka2)", "runs", "takeovers expected/seen", "false", "two masters ms", "no VIP ms", "VIP on two ms", "advert late ms", "client outage ms", "rules"];
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }
    }
}
