using System.Diagnostics;
using System.Globalization;
using System.Net;
using Vigil.Agent.Appliers;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;
using Vigil.Ipvs.Tests;
using Vigil.Netlink.Ipvs;
using Vigil.Tests;

namespace Vigil.Benchmarks;

/// <summary>
/// IPVS programming speed on a real kernel (the guest: user-mode Linux traps every system call, QEMU may emulate the CPU, so absolute figures
/// are slower than on hardware; the ratio is the point). Vigil's times include observing the kernel and planning.
/// </summary>
internal static class IpvsBenchmark
{
    private const int Services = 1000;
    private const int DestinationsPerService = 10;

    public static int Run(int runs) => InGuest.Run("ipvs", $"{runs} runs of {Services} services x {DestinationsPerService} destinations",
        $"--in-guest --runs {runs}", TimeSpan.FromMinutes(20), "ip_vs", "ip_vs_wrr");

    public static int RunInGuest(int runs)
    {
        var servers = Table(changedWeight: 1, removed: false);
        var reweighted = Table(changedWeight: 9, removed: false);
        var removed = Table(changedWeight: 9, removed: true);
        var rules = IpvsadmRules.Format(DesiredIpvsTable.Build(servers, IpvsTable.Empty));
        var (service, destination) = ("198.51.100.100:1500", "203.0.113.8:8080");
        var figures = new Dictionary<string, List<double>>();
        void Record(string name, double milliseconds) => (figures.TryGetValue(name, out var list) ? list : figures[name] = []).Add(milliseconds);

        using var ipvs = IpvsClient.Open();
        for (var run = 0; run < runs; run++)
        {
            ipvs.Flush();
            Record("vigil: from empty (observe, plan, 11,000 requests)", Time(() => Converge(ipvs, servers, expected: Services * (DestinationsPerService + 1))));
            Record("vigil: observe 11,000 entries", Time(() => ipvs.Read()));
            Record("vigil: one weight change (observe, plan, apply)", Time(() => Converge(ipvs, reweighted, expected: 1)));
            // The request alone, with the plan made beforehand: what the agent pays once it knows the change.
            var back = IpvsPlanner.Plan(servers, ipvs.Read());
            Record("vigil: one weight change, the request alone", Time(() => IpvsApplier.Apply(ipvs, back)));
            Record("vigil: one destination removal (observe, plan, apply)", Time(() => Converge(ipvs, removed, expected: 1)));

            ipvs.Flush();
            Record("ipvsadm-restore: from empty", Time(() => Ipvsadm("ipvsadm-restore", [], rules)));
            Record("ipvsadm -e: one weight change", Time(() => Ipvsadm("ipvsadm", ["-e", "-t", service, "-r", destination, "-m", "-w", "9"])));
            Record("ipvsadm -d: one destination removal", Time(() => Ipvsadm("ipvsadm", ["-d", "-t", service, "-r", destination])));
            // Same end state by both routes: Vigil plans nothing against what ipvsadm left.
            var left = ipvs.Read();
            if (!IpvsPlanner.Plan(removed, left).IsEmpty)
            {
                throw new InvalidOperationException("ipvsadm and Vigil did not reach the same table");
            }
        }
        foreach (var (name, values) in figures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-56} {Spread.Of(values).Format("ms", "0.0")}"));
        }
        return 0;
    }

    private static void Converge(IpvsClient ipvs, List<VirtualServerSpec> servers, int expected)
    {
        var plan = IpvsPlanner.Plan(servers, ipvs.Read());
        var result = IpvsApplier.Apply(ipvs, plan);
        if (!result.Succeeded || result.Applied.Count != expected)
        {
            throw new InvalidOperationException($"expected {expected} changes, applied {result.Applied.Count}: {string.Join("; ", result.Failed.Select(f => f.Error))}");
        }
    }

    private static List<VirtualServerSpec> Table(int changedWeight, bool removed) => [.. Enumerable.Range(0, Services).Select(s => new VirtualServerSpec
    {
        Address = IPAddress.Parse("198.51.100.100"),
        Port = 1000 + s,
        Scheduler = IpvsScheduler.Wrr,
        RealServers = [.. Enumerable.Range(0, DestinationsPerService)
            .Where(d => !(removed && s == 500 && d == 7))
            .Select(d => new RealServerSpec { Address = IPAddress.Parse($"203.0.113.{d + 1}"), Port = 8080, Weight = s == 500 && d == 7 ? changedWeight : 1 })],
    })];

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static void Ipvsadm(string file, string[] arguments, string? input = null)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardInput = true, RedirectStandardError = true })!;
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error}");
        }
    }
}
