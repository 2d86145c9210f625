using System.Diagnostics;
using Vigil.Import.KeepalivedConf;

namespace Vigil.Import.Tests;

/// <summary>
/// The parser against keepalived itself: Debian's keepalived 2.2.7 reads each test configuration (keepalived -d dumps
/// what it read at start, VRRP only, in a namespace the test makes) and what it says of each instance and script (VRID,
/// priority, password, VIPs with labels, tracking, script words) is what ConfParser read from the same file. This is
/// where includes, definitions, ~SEQ, @id lines, comments inside values and script quoting meet the real thing.
/// </summary>
public sealed class KeepalivedReadsTheSameTests
{
    private static string Configs => Path.Combine(RepoPaths.Root, "test", "Vigil.Import.Tests", "Configs");

    public static TheoryData<string, string> Files() => new()
    {
        { "single/ka1.conf", "ka1" },
        { "pair/ka1.conf", "ka1" },
        { "pair/ka2.conf", "ka2" },
        { "dual-master/ka2.conf", "ka2" },
        { "sync-group/ka1.conf", "ka1" },
        { "includes/keepalived.conf", "ka1" },
        { "includes/keepalived.conf", "ka2" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void KeepalivedsDump_SaysWhatTheParserRead(string file, string configId)
    {
        var path = Path.Combine(Configs, file);
        Assert.Equal(Dumped(path, configId), Parsed(ConfParser.Parse(new DiskConfFiles(), path, configId)));
    }

    /// <summary>The parser's reading, in the words of keepalived's dump.</summary>
    private static List<string> Parsed(ConfDocument document)
    {
        Assert.Empty(document.Diagnostics);
        var lines = new List<string>();
        foreach (var instance in document.Statements.Where(s => s.Keyword == "vrrp_instance"))
        {
            lines.Add($"VRRP Instance = {instance.Argument(0)}");
            lines.Add($"Virtual Router ID = {instance.Children("virtual_router_id").Single().Argument(0)}");
            lines.Add($"Priority = {instance.Children("priority").SingleOrDefault()?.Argument(0) ?? "100"}");
            foreach (var pass in instance.Children("authentication").SelectMany(a => a.Children("auth_pass")))
            {
                lines.Add($"Password = {pass.Argument(0)}");
            }
            foreach (var vip in instance.Children("virtual_ipaddress").SelectMany(v => v.Block ?? []))
            {
                var label = vip.Words.SkipWhile(w => w != "label").Skip(1).FirstOrDefault();
                lines.Add($"VIP {vip.Words[0]}{(label is null ? "" : " label " + label)}");
            }
        }
        // keepalived runs (and lists) only scripts some instance tracks; in a sync group without sync_group_tracking_weight
        // it does not track a weighted one.
        var weightless = document.Statements.Where(s => s.Keyword == "vrrp_sync_group" && !s.Children("sync_group_tracking_weight").Any())
            .SelectMany(g => g.Children("group").SelectMany(m => m.Block ?? []).SelectMany(m => m.Words)).ToHashSet();
        var scripts = document.Statements.Where(s => s.Keyword == "vrrp_script").ToList();
        var tracked = document.Statements.Where(s => s.Keyword == "vrrp_instance")
            .SelectMany(i => i.Children("track_script").SelectMany(t => t.Block ?? []).Where(t =>
                !weightless.Contains(i.Argument(0)!)
                || (t.Argument(0) == "weight" ? t.Argument(1) : scripts.FirstOrDefault(s => s.Argument(0) == t.Words[0])?.Children("weight").FirstOrDefault()?.Argument(0) ?? "0") == "0"))
            .Select(t => t.Words[0]).ToHashSet();
        foreach (var script in scripts.Where(s => tracked.Contains(s.Argument(0)!)))
        {
            lines.Add($"VRRP Script = {script.Argument(0)}");
            var command = ConfWords.Escaped(ConfWords.Escaped(script.Children("script").Single().Text, out _)![1], out _)!;
            lines.Add($"Command = {string.Join(' ', command.Select(w => $"'{w}'"))}");
        }
        return lines;
    }

    /// <summary>What keepalived -d printed of the same, its timestamps cut.</summary>
    private static List<string> Dumped(string path, string configId)
    {
        Skips.IfMissing(File.Exists("/usr/sbin/keepalived") ? null : "keepalived is not installed (test/run installs Debian's keepalived)");
        using var ns = new TestNamespace();
        Skips.IfMissing(ns.Ready ? null : TestNamespace.SkipReason);
        Assert.True(ns.NameThePairEth0AndEth1(), "the namespace's veth pair could not be renamed eth0 and eth1");
        var run = Directory.CreateTempSubdirectory("vigil-keepalived-d-");
        // keepalived -l logs to stderr: the shell joins it to stdout and execs, so the pid is keepalived's.
        using var keepalived = Process.Start(new ProcessStartInfo("/bin/sh",
        [
            "-c", "exec \"$@\" 2>&1", "sh", "ip", "netns", "exec", ns.Name, "/usr/sbin/keepalived", "-n", "-l", "-d", "--vrrp", "-f", path, "-i", configId,
            "-p", Path.Combine(run.FullName, "keepalived.pid"), "-r", Path.Combine(run.FullName, "vrrp.pid"),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var dump = new List<string>();
        try
        {
            // The dump ends where keepalived lists the interfaces; it reads no more configuration after that.
            var reading = Task.Run(() =>
            {
                var inTopology = false;
                while (keepalived.StandardOutput.ReadLine() is { } line)
                {
                    var text = line.Length > 26 && line[24] == ':' ? line[26..] : line;
                    if (text.StartsWith("------< Interfaces", StringComparison.Ordinal)) return;
                    if (text.StartsWith("------< VRRP Topology", StringComparison.Ordinal)) inTopology = true;
                    if (inTopology) dump.Add(text);
                }
            });
            Assert.True(reading.Wait(TimeSpan.FromSeconds(30)), "keepalived printed no dump in 30 s:\n" + string.Join('\n', dump));
        }
        finally
        {
            keepalived.Kill(entireProcessTree: false);
            keepalived.WaitForExit();
            run.Delete(recursive: true);
        }
        var lines = new List<string>();
        var inVips = false;
        foreach (var raw in dump)
        {
            var text = raw.Trim();
            if (inVips && raw.StartsWith("     ", StringComparison.Ordinal) && !raw.StartsWith("      ", StringComparison.Ordinal))
            {
                var words = text.Split(' ');
                var label = words.SkipWhile(w => w != "label").Skip(1).FirstOrDefault();
                lines.Add($"VIP {words[0]}{(label is null ? "" : " label " + label)}");
                continue;
            }
            if (!raw.StartsWith(' '))
            {
                continue; // a log line of the VRRP process, between the dump's lines
            }
            inVips = text.StartsWith("Virtual IP (", StringComparison.Ordinal);
            if (text.StartsWith("VRRP Instance = ", StringComparison.Ordinal) || text.StartsWith("Virtual Router ID = ", StringComparison.Ordinal)
                || text.StartsWith("Priority = ", StringComparison.Ordinal) || text.StartsWith("Password = ", StringComparison.Ordinal)
                || text.StartsWith("VRRP Script = ", StringComparison.Ordinal) || text.StartsWith("Command = ", StringComparison.Ordinal))
            {
                lines.Add(text);
            }
        }
        return lines;
    }
}
