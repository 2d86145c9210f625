using Vigil.Core.Desired;
using Vigil.Health.Probes;

namespace Vigil.Health;

/// <summary>
/// One real server's health check with keepalived's semantics: every run makes up to <c>retry</c> attempts, each given
/// up after connectTimeout, with delayBeforeRetry between them; the server is down only when every attempt failed.
/// </summary>
public sealed class RealServerCheck : IScheduledCheck
{
    private readonly IHealthProbe _probe;
    private readonly HealthBoard _board;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <summary>
    /// The real server's check number <paramref name="index"/> (of <see cref="RealServerSpec.Checks"/>); results go to
    /// <paramref name="board"/>; <paramref name="delay"/> waits between attempts (tests record it).
    /// </summary>
    public RealServerCheck(string virtualServer, VirtualServerSpec server, RealServerSpec real, HealthBoard board, Func<TimeSpan, CancellationToken, Task>? delay = null, int index = 0)
    {
        _board = board;
        if (index >= real.Checks.Count)
        {
            throw new ArgumentException($"{virtualServer}: real server {Endpoints.Format(real.Address, real.Port)} has no health check {index + 1}", nameof(real));
        }
        var check = real.Checks[index];
        VirtualServer = virtualServer;
        RealServer = Endpoints.Format(real.Address, real.Port ?? server.DefaultPort);
        Server = server;
        Real = real;
        RealKey = KeyOf(server, real);
        Of = real.Checks.Count;
        Key = KeyOf(RealKey, index, Of);
        ProbeName = check.ConfiguredProbes().FirstOrDefault() ?? "check";
        Spec = check;
        // keepalived reads a track file when it is written (inotify); Vigil reads it every second unless told otherwise.
        Interval = check.DelayLoop ?? (check.File is not null ? TimeSpan.FromSeconds(1) : server.DelayLoop);
        FirstWithin = check.Warmup ?? Interval;
        // The probe's own port, else the real server's; a DNS or SMTP check without either uses 53 or 25, not the service's.
        var port = check.OwnPort() ?? real.Port
            ?? (check.Dns is not null || check.Smtp is not null ? 0 : server.DefaultPort ?? 0);
        Target = new ProbeTarget(check.ConnectIp ?? real.Address, port, ProbeSource.Of(check));
        _probe = check switch
        {
            { Tcp: not null } => new TcpProbe(),
            { HttpGet: { } http } => new HttpProbe(http, tls: false),
            { SslGet: { } https } => new HttpProbe(https, tls: true),
            { Misc: { } misc } => new MiscProbe(misc),
            { Dns: { } dns } => new DnsProbe(dns),
            { Smtp: { } smtp } => new SmtpProbe(smtp),
            { Udp: { } udp } => new UdpProbe(udp),
            { Ping: not null } => new PingProbe(),
            { File: { } file } => new FileProbe(file, real.Weight),
            _ => throw new NotSupportedException($"{virtualServer}: real server {RealServer} has no probe"),
        };
        _delay = delay ?? Task.Delay;
    }

    /// <summary>Which real server of which virtual server, as the IPVS planner asks: the service's endpoint and the real server's.</summary>
    public static string KeyOf(VirtualServerSpec server, RealServerSpec real) => $"{server.Endpoint} {Endpoints.Format(real.Address, real.Port)}";

    /// <summary>Which check of the real server: its key alone when it has one check, else with the check's number.</summary>
    public static string KeyOf(string realKey, int index, int of) => of == 1 ? realKey : $"{realKey} check {index + 1}";

    /// <summary>This check's own key; <see cref="RealKey"/> is its real server's.</summary>
    public string Key { get; }

    public string RealKey { get; }

    /// <summary>How many checks the real server has (all must pass).</summary>
    public int Of { get; }

    /// <summary>tcp, httpGet...: said in the reason when the real server has several checks.</summary>
    public string ProbeName { get; }

    public string VirtualServer { get; }

    public string RealServer { get; }

    public VirtualServerSpec Server { get; }

    public RealServerSpec Real { get; }

    /// <summary>keepalived's alpha: the server counts as down until its first success.</summary>
    public bool Alpha => Server.Alpha;

    public HealthCheckSpec Spec { get; }

    public ProbeTarget Target { get; }

    /// <summary>keepalived's delay_loop (the check's own, else its virtual server's): how often a run starts.</summary>
    public TimeSpan Interval { get; }

    public TimeSpan FirstWithin { get; }

    /// <summary>Same real server (its check and hooks included), target, interval and the service's alpha and hooks it reports with.</summary>
    public bool SameAs(IScheduledCheck other) => other is RealServerCheck check && check.Key == Key && check.Real == Real && check.Target == Target && check.Interval == Interval
        && check.Alpha == Alpha && check.Server.Notify == Server.Notify;

    public async Task RunAsync(CancellationToken cancellation) => _board.Report(this, await ProbeAsync(cancellation).ConfigureAwait(false));

    /// <summary>One run: the first success, or the last failure once every attempt failed (its reason says how many).</summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellation)
    {
        var attempts = Math.Max(1, Spec.Retry);
        ProbeResult result = ProbeResult.Failure("not run");
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            result = await _probe.ProbeAsync(Target, Spec.ConnectTimeout, cancellation).ConfigureAwait(false);
            if (result.Up)
            {
                return result;
            }
            if (attempt < attempts)
            {
                await _delay(Spec.DelayBeforeRetry, cancellation).ConfigureAwait(false);
            }
        }
        return attempts == 1 ? result : result with { Reason = $"{result.Reason} ({attempts} attempts)" };
    }

    public void Dispose() => (_probe as IDisposable)?.Dispose();
}
