using System.Globalization;
using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;

namespace Vigil.Ipvs.Tests;

/// <summary>
/// ipvsadm's rule syntax (what -S prints and ipvsadm-restore reads), written and read by the test itself so that
/// ipvsadm is an independent witness of what Vigil's own netlink code put in the kernel, and the other way round.
/// ipvsadm -S does not print thresholds; those are compared through --thresholds.
/// </summary>
internal static class IpvsadmRules
{
    public static string Format(IpvsTable table)
    {
        var lines = new List<string>();
        foreach (var service in table.Services)
        {
            var name = ServiceName(service.Key);
            var line = $"-A {name} -s {service.Settings.Scheduler}";
            if (service.Settings.Flags.HasFlag(IpvsServiceFlags.Persistent))
            {
                line += $" -p {service.Settings.TimeoutSeconds}";
                if (service.Settings.NetmaskPrefix != (service.Key.Family == IpFamily.IPv6 ? 128 : 32))
                {
                    line += $" -M {Netmask(service.Key.Family, service.Settings.NetmaskPrefix)}";
                }
            }
            if (service.Settings.Flags.HasFlag(IpvsServiceFlags.OnePacket))
            {
                line += " -o";
            }
            var schedulerFlags = SchedulerFlags(service.Settings);
            if (schedulerFlags.Length > 0)
            {
                line += $" -b {schedulerFlags}";
            }
            lines.Add(line);
            foreach (var destination in service.Destinations)
            {
                var settings = destination.Settings;
                lines.Add($"-a {name} -r {destination.Key} {Switch(settings.Forwarding)} -w {settings.Weight} -x {settings.UpperThreshold} -y {settings.LowerThreshold}");
            }
        }
        return string.Join('\n', lines) + "\n";
    }

    public static IpvsTable Parse(string rules)
    {
        var services = new List<IpvsService>();
        var destinations = new Dictionary<IpvsServiceKey, List<IpvsDestination>>();
        foreach (var line in rules.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ');
            var options = new Dictionary<string, string>();
            for (var i = 1; i < words.Length; i++)
            {
                options[words[i]] = i + 1 < words.Length && !words[i + 1].StartsWith('-') ? words[++i] : "";
            }
            var key = ServiceKey(options);
            if (words[0] == "-A")
            {
                var flags = IpvsServiceFlags.None;
                if (options.ContainsKey("-p")) flags |= IpvsServiceFlags.Persistent;
                if (options.ContainsKey("-o")) flags |= IpvsServiceFlags.OnePacket;
                foreach (var flag in options.GetValueOrDefault("-b", "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    flags |= flag.EndsWith("fallback", StringComparison.Ordinal) ? IpvsServiceFlags.Scheduler1 : IpvsServiceFlags.Scheduler2;
                }
                var full = key.Family == IpFamily.IPv6 ? 128 : 32;
                var prefix = options.TryGetValue("-M", out var mask) ? PrefixOf(mask) : full;
                services.Add(new IpvsService(key, new IpvsServiceSettings(options["-s"], flags, options.TryGetValue("-p", out var p) ? uint.Parse(p, CultureInfo.InvariantCulture) : 0, prefix)));
                destinations[key] = [];
            }
            else
            {
                var forwarding = options.ContainsKey("-g") ? IpvsForwarding.Dr : options.ContainsKey("-i") ? IpvsForwarding.Tun : IpvsForwarding.Nat;
                var (address, port) = Endpoint(options["-r"]);
                destinations[key].Add(new IpvsDestination(new IpvsDestinationKey(address, port),
                    new IpvsDestinationSettings(forwarding, int.Parse(options["-w"], CultureInfo.InvariantCulture))));
            }
        }
        return new IpvsTable(services.Select(s => s with { Destinations = destinations[s.Key] }));
    }

    private static string ServiceName(IpvsServiceKey key) => key.Fwmark != 0
        ? $"-f {key.Fwmark}{(key.Family == IpFamily.IPv6 ? " -6" : "")}"
        : $"{key.Protocol switch { IpvsProtocol.Udp => "-u", IpvsProtocol.Sctp => "--sctp-service", _ => "-t" }} {Endpoints.Format(key.Address!, key.Port)}";

    private static IpvsServiceKey ServiceKey(Dictionary<string, string> options)
    {
        if (options.TryGetValue("-f", out var mark))
        {
            return IpvsServiceKey.ForFwmark(options.ContainsKey("-6") ? IpFamily.IPv6 : IpFamily.IPv4, uint.Parse(mark, CultureInfo.InvariantCulture));
        }
        var (protocol, endpoint) = options.TryGetValue("-t", out var tcp) ? (IpvsProtocol.Tcp, tcp)
            : options.TryGetValue("-u", out var udp) ? (IpvsProtocol.Udp, udp)
            : (IpvsProtocol.Sctp, options["--sctp-service"]);
        var (address, port) = Endpoint(endpoint);
        return IpvsServiceKey.ForAddress(protocol, address, port);
    }

    private static (IPAddress Address, ushort Port) Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        return (IPAddress.Parse(text[..colon].Trim('[', ']')), ushort.Parse(text[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static string SchedulerFlags(IpvsServiceSettings settings)
    {
        var names = new List<string>();
        if (settings.Flags.HasFlag(IpvsServiceFlags.Scheduler1)) names.Add($"{settings.Scheduler}-fallback");
        if (settings.Flags.HasFlag(IpvsServiceFlags.Scheduler2)) names.Add($"{settings.Scheduler}-port");
        return string.Join(',', names);
    }

    private static string Netmask(IpFamily family, int prefix) => family == IpFamily.IPv6
        ? prefix.ToString(CultureInfo.InvariantCulture)
        : new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(prefix == 0 ? 0u : uint.MaxValue << (32 - prefix))).ToString();

    private static int PrefixOf(string mask) => mask.Contains('.', StringComparison.Ordinal)
        ? System.Numerics.BitOperations.PopCount(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(mask).GetAddressBytes()))
        : int.Parse(mask, CultureInfo.InvariantCulture);

    private static string Switch(IpvsForwarding forwarding) => forwarding switch
    {
        IpvsForwarding.Dr => "-g",
        IpvsForwarding.Tun => "-i",
        _ => "-m",
    };
}
