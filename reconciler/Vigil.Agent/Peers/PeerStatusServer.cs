using System.Net;
using System.Text;
using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Agent.Peers;

/// <summary>
/// Serves this agent's status to its cluster's other members (Cluster <c>peerStatus</c>): GET /v1/status on the node's
/// address and the cluster's port, answered only to requests signed with the shared key, the answer signed too. It
/// follows the running revision: started, moved or stopped when the Cluster's settings change. Read-only.
/// </summary>
public sealed class PeerStatusServer(Func<StatusDocument> status, ILogger log, TimeProvider time) : IDisposable
{
    public const string Path = "/v1/status";

    private readonly PeerAuthentication _authentication = new(time);
    private readonly Dictionary<string, DateTimeOffset> _warned = new(StringComparer.Ordinal);
    private (PeerStatusSpec Spec, IPAddress Address)? _serving;
    private HttpListener? _listener;
    private Thread? _thread;

    /// <summary>Why it does not serve although asked to (the address cannot be bound), for the status's degraded list.</summary>
    public string? Problem { get; private set; }

    /// <summary>Serves per <paramref name="spec"/> on <paramref name="address"/>; stops when either is null.</summary>
    public void Use(PeerStatusSpec? spec, IPAddress? address)
    {
        (PeerStatusSpec Spec, IPAddress Address)? wanted = spec is not null && address is not null ? (spec, address) : null;
        if (Nullable.Equals(wanted, _serving) && (wanted is null || _listener is not null))
        {
            return;
        }
        Stop();
        _serving = wanted;
        Problem = null;
        if (wanted is not { } serve)
        {
            return;
        }
        var host = serve.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{serve.Address}]" : serve.Address.ToString();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://{host}:{serve.Spec.Port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            Problem = $"peer status: cannot listen on {host}:{serve.Spec.Port}: {e.Message}";
            log.Error("{Problem}", Problem);
            listener.Close();
            return;
        }
        _listener = listener;
        _thread = new Thread(() => Serve(listener, serve.Spec)) { IsBackground = true, Name = "peer status" };
        _thread.Start();
        log.Information("peer status on http://{Host}:{Port}{Path}, signed requests only", host, serve.Spec.Port, Path);
    }

    private void Serve(HttpListener listener, PeerStatusSpec spec) => HttpLoop.Serve(listener, context => Answer(context, spec), log, "peer status");

    private void Answer(HttpListenerContext context, PeerStatusSpec spec)
    {
        var request = context.Request;
        var response = context.Response;
        var key = PeerKey.Read(spec, out var keyProblem);
        var refusal = key is null ? keyProblem
            : request.HttpMethod != "GET" || request.Url?.AbsolutePath != Path ? "not GET " + Path
            : _authentication.Refusal(key, request.HttpMethod, Path, request.Headers[PeerAuthentication.TimeHeader],
                request.Headers[PeerAuthentication.NonceHeader], request.Headers["Authorization"]);
        if (refusal is not null)
        {
            Warn(request.RemoteEndPoint?.Address.ToString() ?? "?", refusal);
            // The caller learns nothing but that it is refused.
            Write(response, key is null ? 503 : 401, "text/plain", "refused\n"u8.ToArray());
            return;
        }
        var body = Encoding.UTF8.GetBytes(status().ToJsonText() + "\n");
        response.Headers[PeerAuthentication.SignatureHeader] = PeerAuthentication.SignAnswer(key!, request.Headers[PeerAuthentication.NonceHeader]!, body);
        Write(response, 200, "application/json", body);
    }

    private static void Write(HttpListenerResponse response, int code, string type, byte[] body)
    {
        response.StatusCode = code;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    /// <summary>Once a minute per sender: a scanner must not fill the log.</summary>
    private void Warn(string from, string why)
    {
        var now = time.GetUtcNow();
        lock (_warned)
        {
            if (_warned.TryGetValue(from, out var last) && now - last < TimeSpan.FromMinutes(1))
            {
                return;
            }
            _warned[from] = now;
        }
        log.Warning("peer status: refused a request from {From}: {Why}", from, why);
    }

    private void Stop()
    {
        _listener?.Close();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _listener = null;
        _thread = null;
    }

    public void Dispose() => Stop();
}
