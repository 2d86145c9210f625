using System.Net;
using Vigil.Core.Desired;
using Vigil.Core.Observed;
using Vigil.Core.Planning;

namespace Vigil.Core.Validation;

/// <summary>IPVS rules: one service per endpoint, real servers that the forwarding method can reach, one probe per check.</summary>
internal static class VirtualServerRules
{
    public static void Check(DesiredState state, DiagnosticBag bag)
    {
        var services = new Dictionary<IpvsServiceKey, Resource<VirtualServerSpec>>();
        foreach (var server in state.VirtualServers)
        {
            var spec = server.Spec;
            var origin = server.Origin;
            if (new object?[] { spec.Address, spec.Fwmark, spec.Group }.Count(v => v is not null) != 1)
            {
                bag.Error(origin, "spec", "address-or-fwmark", "set one of address (with port), fwmark or group");
                continue;
            }
            if (spec.Address is not null && spec.Port is null)
            {
                bag.Error(origin, "spec", "port-missing", $"virtual server {spec.Address} needs a port");
                continue;
            }
            if (spec.Fwmark is not null && spec.Port is not null)
            {
                bag.Error(origin, "spec.port", "fwmark-port", "a fwmark service matches by mark, not by port: remove port");
            }
            if (spec.Group is { } group)
            {
                if (spec.Port is not null)
                {
                    bag.Error(origin, "spec.port", "group-port", "a group's ports are its members': remove port");
                }
                if (!GroupRules.Check(server, group, bag))
                {
                    continue;
                }
            }
            foreach (var endpoint in DesiredIpvsTable.EndpointsOf(spec))
            {
                if (!services.TryAdd(endpoint.Key, server))
                {
                    var first = services[endpoint.Key];
                    bag.Error(origin, spec.Group is not null ? "spec.group" : spec.Fwmark is null ? "spec.address" : "spec.fwmark", "service-unique",
                        $"{(spec.Group is null ? spec.Endpoint : endpoint.Key.ToString())} is already defined by VirtualServer '{first.Name}' ({VrrpInstanceRules.At(first.Origin, "spec")})");
                }
            }
            if (spec.SchedulerFlags.Count > 0 && spec.Scheduler is not (IpvsScheduler.Sh or IpvsScheduler.Mh))
            {
                bag.Error(origin, "spec.schedulerFlags", "scheduler-flags",
                    $"schedulerFlags apply to the sh and mh schedulers only, not {spec.Scheduler.ToString().ToLowerInvariant()}");
            }
            if (spec.OnePacket && spec.Protocol != IpvsProtocol.Udp)
            {
                bag.Error(origin, "spec.onePacket", "one-packet-udp", "onePacket schedules UDP datagrams: set protocol UDP or remove onePacket");
            }
            CheckRealServers(server, bag);
            if (spec.SorryServer is { } sorry && ResolvedVrrpInstance.FamilyOf(sorry.Address) != spec.EffectiveFamily)
            {
                bag.Error(origin, "spec.sorryServer.address", "family-mismatch", $"sorry server {sorry.Address} is not {spec.EffectiveFamily} like the virtual server");
            }
            if (spec.Persistence?.Netmask is { } netmask)
            {
                CheckNetmask(server, netmask, bag);
            }
        }
    }

    /// <summary>DR and TUN deliver the packet unchanged: a real or sorry server must listen on the virtual port (keepalived resets it, and says so).</summary>
    private static void CheckPortKept(Resource<VirtualServerSpec> server, string field, string what, int? port, DiagnosticBag bag)
    {
        var spec = server.Spec;
        if (spec.Forwarding != IpvsForwarding.Nat && spec.DefaultPort is { } kept && port is not null && port != kept)
        {
            bag.Error(server.Origin, field + ".port", "port-rewrite",
                $"{spec.Forwarding.ToString().ToUpperInvariant()} forwarding cannot change the port: {what} port {port} differs from the virtual server's {kept}; use NAT or the same port");
        }
    }

    private static void CheckRealServers(Resource<VirtualServerSpec> server, DiagnosticBag bag)
    {
        var spec = server.Spec;
        if (spec.SorryServer is { } sorry)
        {
            CheckPortKept(server, "spec.sorryServer", "sorry server", sorry.Port, bag);
        }
        var seen = new Dictionary<(IPAddress, int?), int>();
        var totalWeight = 0;
        for (var i = 0; i < spec.RealServers.Count; i++)
        {
            var real = spec.RealServers[i];
            var field = $"spec.realServers[{i}]";
            var port = real.Port ?? spec.DefaultPort;
            totalWeight += real.Weight;
            // IPVS gives a portless NAT server each service's port; a check has no such choice.
            if (port is null && spec.Group is not null && real.Checks.Any(c => c.NeedsServerPort()))
            {
                bag.Error(server.Origin, field + ".port", "port-missing",
                    $"real server {real.Address} needs a port for its check: the group's addresses do not share one");
            }
            if (!seen.TryAdd((real.Address, port), i))
            {
                bag.Error(server.Origin, field + ".address", "realserver-unique",
                    $"real server {Endpoints.Format(real.Address, port)} is already listed at spec.realServers[{seen[(real.Address, port)]}]");
            }
            if (ResolvedVrrpInstance.FamilyOf(real.Address) != spec.EffectiveFamily && spec.Forwarding != IpvsForwarding.Tun)
            {
                bag.Error(server.Origin, field + ".address", "family-mismatch",
                    $"real server {real.Address} is not {spec.EffectiveFamily} like the virtual server; only TUN forwarding crosses families");
            }
            CheckPortKept(server, field, "real server", real.Port, bag);
            if (real.UpperThreshold != 0 && real.LowerThreshold > real.UpperThreshold)
            {
                bag.Error(server.Origin, field + ".lowerThreshold", "thresholds",
                    $"lowerThreshold {real.LowerThreshold} is above upperThreshold {real.UpperThreshold}");
            }
            if (real.HealthCheck is not null && real.HealthChecks.Count > 0)
            {
                bag.Error(server.Origin, field + ".healthChecks", "one-probe", "healthCheck and healthChecks are both set: list every check in healthChecks");
            }
            List<(HealthCheckSpec Check, string Field)> checks = real.HealthCheck is { } single ? [(single, field + ".healthCheck")]
                : [.. real.HealthChecks.Select((c, i) => (c, $"{field}.healthChecks[{i}]"))];
            foreach (var (check, at) in checks)
            {
                var probes = check.ConfiguredProbes().ToList();
                if (probes.Count != 1)
                {
                    bag.Error(server.Origin, at, "one-probe",
                        probes.Count == 0
                            ? $"a check needs one of {string.Join(", ", HealthCheckSpec.ProbeNames)}"
                            : $"a check has {string.Join(" and ", probes)}: one probe per check (several checks go in healthChecks)");
                }
                if ((check.HttpGet ?? check.SslGet) is { } http)
                {
                    CheckHttp(server, $"{at}.{(check.HttpGet is not null ? "httpGet" : "sslGet")}", http, bag);
                }
                if (check.Udp is { MinReplyLength: var min, MaxReplyLength: var max } && min > max)
                {
                    bag.Error(server.Origin, at + ".udp.minReplyLength", "reply-length", $"minReplyLength {min} is above maxReplyLength {max}: the check always fails");
                }
                CheckSource(server, at, check, check.ConnectIp ?? real.Address, bag);
            }
        }
        if (spec.RealServers.Count > 0 && spec.Quorum > totalWeight)
        {
            bag.Warning(server.Origin, "spec.quorum", "quorum-unreachable",
                $"quorum {spec.Quorum} is above the total weight {totalWeight} of all real servers: the service never has quorum");
        }
    }

    /// <summary>keepalived's connection options: none on a misc or file check; a source of the target's family; an interface for a link-local target.</summary>
    private static void CheckSource(Resource<VirtualServerSpec> server, string at, HealthCheckSpec check, IPAddress target, DiagnosticBag bag)
    {
        if (check.BindsSource() && (check.Misc ?? (object?)check.File) is not null)
        {
            var field = check.BindAddress is not null ? "bindAddress" : check.BindPort is not null ? "bindPort" : "bindInterface";
            bag.Error(server.Origin, $"{at}.{field}", "check-source", $"a {(check.Misc is not null ? "misc" : "file")} check opens no connection: {field} has nothing to bind");
        }
        if (check.BindAddress is { } source && source.AddressFamily != target.AddressFamily)
        {
            bag.Error(server.Origin, $"{at}.bindAddress", "family-mismatch", $"bindAddress {source} is not of the family of {target}, where the check goes");
        }
        if (target.IsIPv6LinkLocal && check.BindInterface is null && check.ConnectIp is not null)
        {
            bag.Error(server.Origin, $"{at}.connectIp", "link-local-interface", $"{target} is link-local: set bindInterface, the interface it is reached by");
        }
    }

    /// <summary>Status code lists that parse; several urls or the one-url fields, not both.</summary>
    private static void CheckHttp(Resource<VirtualServerSpec> server, string field, HttpCheckSpec http, DiagnosticBag bag)
    {
        if (http.StatusCodes is { } codes && !HttpStatusCodes.TryParse(codes, out _, out var error))
        {
            bag.Error(server.Origin, field + ".statusCodes", "status-codes", error!);
        }
        for (var i = 0; i < http.Urls.Count; i++)
        {
            if (http.Urls[i].StatusCodes is { } urlCodes && !HttpStatusCodes.TryParse(urlCodes, out _, out var urlError))
            {
                bag.Error(server.Origin, $"{field}.urls[{i}].statusCodes", "status-codes", urlError!);
            }
            if (http.Urls[i].Regex is { } pattern)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    bag.Error(server.Origin, $"{field}.urls[{i}].regex", "regex", $"not a regular expression: {e.Message}");
                }
            }
            else if (http.Urls[i].RegexNoMatch)
            {
                bag.Error(server.Origin, $"{field}.urls[{i}].regexNoMatch", "regex", "regexNoMatch without regex: give the regex the body must not match");
            }
        }
        if (http.Urls.Count > 0 && (http.Path != "/" || http.StatusCode != 200 || http.StatusCodes is not null || http.Digest is not null))
        {
            bag.Error(server.Origin, field + ".urls", "urls-or-url", "urls is set: give path, status codes and digest in each of urls[], not beside it");
        }
        if (http.StatusCodes is not null && http.StatusCode != 200)
        {
            bag.Error(server.Origin, field + ".statusCodes", "status-codes", "statusCode and statusCodes are both set: statusCodes replaces it");
        }
    }

    private static void CheckNetmask(Resource<VirtualServerSpec> server, string netmask, DiagnosticBag bag)
    {
        if (server.Spec.Persistence!.PrefixLength(server.Spec.EffectiveFamily) is null)
        {
            bag.Error(server.Origin, "spec.persistence.netmask", "netmask",
                server.Spec.EffectiveFamily == IpFamily.IPv6
                    ? $"'{netmask}' is not an IPv6 prefix length (1-128)"
                    : $"'{netmask}' is not an IPv4 netmask like 255.255.255.0");
        }
    }
}
