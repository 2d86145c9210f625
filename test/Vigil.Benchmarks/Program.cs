using System.Globalization;
using Vigil.Benchmarks;

// vigil benchmarks: print figures, assert nothing.
const string Usage = """
    Usage: Vigil.Benchmarks BENCHMARK [--runs N] [options]
      load      [--keep DIR]  load + validate a generated 1000-instance cluster (--keep leaves the folder in DIR)
      failover  [--v2]        takeover times of a Vigil pair and a keepalived pair in a namespace lab (root);
                              v3 100 ms crash and graceful; --v2 adds v2 1 s crash and graceful
      ipvs                    in the guest kernel (root): 1,000 services x 10 destinations from empty, one weight
                              change, one destination removal, by Vigil and by ipvsadm-restore/ipvsadm (--runs, default 5)
      gitops                  `vigil plan` between two commits of a 1,000-instance, 10,000-real-server repository;
                              then in a namespace lab (root), git commit -> VIP on the master with agents fetching every 1 s
                              (--plan-only: the plan figures alone)
      health  [--checks N] [--seconds S] [--in-guest]  N TCP checks (10000) at a 1 s delayLoop against listeners on
                              loopback for S s (30): checks per second, CPU per check and peak memory; then keepalived -C
                              on the same targets (the listeners run in a process of their own, their CPU counted apart
                              from both checkers'); --in-guest runs both in the guest kernel (root), whose kernel has the IPVS
                              keepalived's checker needs (user-mode Linux, else QEMU: VIGIL_GUEST_KERNEL forces one)
      idle    [--seconds S]   10 VRRP instances at 1 s adverts, all master, on one node of a namespace lab (root): CPU
                              time and memory over S s (30) of a Vigil agent, then of keepalived with the same instances
      chaos   [--quick] [--fault NAME]  faults injected into a namespace lab (root) for a Vigil pair, a keepalived pair
                              and both mixes: lossy-1s, lossy-100ms (30 % of adverts lost for 60 s), one-way (10 s),
                              gray (master frozen 5 s), cpu (busy loops, 300 s), flaps, tracked-flaps (200 ms, 10 s),
                              flood (200,000 forged lower-priority adverts);
                              a table of takeovers, two-master and no-VIP times, client outage (--runs, default 5;
                              --quick: as shortened as the tests)
      soak    [--instances N] [--minutes M] [--keepalived]  N instances (100) at 100 ms adverts between two Vigil agents
                              (root) for M minutes (30), sampled every 10 s: memory and CPU with their slopes, false
                              takeovers; --keepalived runs a keepalived pair the same way after
    Exit codes: 0 figures printed, 1 a run failed, 2 bad usage or the lab cannot run here.
    """;
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Usage);
    return 0;
}
var runs = int.Parse(Option("--runs") ?? "5", CultureInfo.InvariantCulture);
return (args.FirstOrDefault() is { } first && !first.StartsWith('-') ? first : "load") switch
{
    "load" => LoadBenchmark.Run(runs, Option("--keep")),
    "failover" => FailoverBenchmark.Run(runs, withV2: args.Contains("--v2")),
    "gitops" => GitOpsBenchmark.Run(runs, args.Contains("--plan-only")),
    "health" => (args.Contains("--in-guest") ? (Func<int, TimeSpan, int>)HealthBenchmark.RunInGuest : HealthBenchmark.Run)(
        int.Parse(Option("--checks") ?? "10000", CultureInfo.InvariantCulture), TimeSpan.FromSeconds(int.Parse(Option("--seconds") ?? "30", CultureInfo.InvariantCulture))),
    "chaos" => ChaosBenchmark.Run(runs, args.Contains("--quick"), Option("--fault")),
    "soak" => SoakBenchmark.Run(int.Parse(Option("--instances") ?? "100", CultureInfo.InvariantCulture),
        TimeSpan.FromMinutes(double.Parse(Option("--minutes") ?? "30", CultureInfo.InvariantCulture)), args.Contains("--keepalived")),
    "idle" => IdleBenchmark.Run(TimeSpan.FromSeconds(int.Parse(Option("--seconds") ?? "30", CultureInfo.InvariantCulture))),
    HealthListeners.Command => HealthListeners.Serve(int.Parse(Option("--count") ?? "100", CultureInfo.InvariantCulture)),
    "ipvs" => args.Contains("--in-guest") ? IpvsBenchmark.RunInGuest(runs) : IpvsBenchmark.Run(runs),
    var other => BadUsage(other),
};

static int BadUsage(string benchmark)
{
    Console.Error.WriteLine($"unknown benchmark '{benchmark}'\n{Usage}");
    return 2;
}
