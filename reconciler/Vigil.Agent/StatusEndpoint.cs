using System.Net;
using System.Text;
using Serilog;

namespace Vigil.Agent;

/// <summary>
/// The agent's status over HTTP on a local address (off unless --listen is given): GET /status is the status as
/// JSON (what the status file holds), /metrics the same in Prometheus' text format, /healthz "ok" while the agent
/// runs a revision. One request at a time on its own thread: the readers are a scraper and an operator.
/// </summary>
public sealed class StatusEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<AgentStatus> _status;
    private readonly ILogger _log;
    private readonly Thread _thread;

    public StatusEndpoint(IPEndPoint endpoint, Func<AgentStatus> status, ILogger log)
    {
        _status = status;
        _log = log;
        var host = endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        _listener.Prefixes.Add($"http://{host}:{endpoint.Port}/");
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true, Name = "status endpoint" };
        _thread.Start();
        log.Information("status on http://{Host}:{Port}/status and /metrics", host, endpoint.Port);
    }

    private void Serve() => HttpLoop.Serve(_listener, Answer, _log, "status");

    private void Answer(HttpListenerContext context)
    {
        var response = context.Response;
        var (code, type, body) = context.Request.HttpMethod != "GET" ? (405, "text/plain", "GET only\n")
            : context.Request.Url?.AbsolutePath switch
            {
                "/status" => (200, "application/json", _status().ToDocument().ToJsonText() + "\n"),
                "/metrics" => (200, "text/plain; version=0.0.4", PrometheusText.Of(_status().ToDocument())),
                "/healthz" => _status().Source.Commit is not null || _status().Instances.Count > 0 ? (200, "text/plain", "ok\n") : (503, "text/plain", "no revision running\n"),
                _ => (404, "text/plain", "try /status, /metrics or /healthz\n"),
            };
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = code;
        response.ContentType = type;
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Close();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
