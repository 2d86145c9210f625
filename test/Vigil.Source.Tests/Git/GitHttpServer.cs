using System.Diagnostics;
using System.Net;
using System.Text;

namespace Vigil.Source.Tests.Git;

/// <summary>
/// git's own smart-HTTP server (`git http-backend`, run as CGI) behind HTTP basic authentication, on loopback: the
/// server a token is checked against. Requests without the right password get 401, as GitHub and GitLab answer.
/// </summary>
internal sealed class GitHttpServer : IDisposable
{
    private const string Backend = "/usr/lib/git-core/git-http-backend";
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly string _password;
    private readonly Thread _thread;

    public GitHttpServer(string projectRoot, string password)
    {
        _root = projectRoot;
        _password = password;
        var port = Vigil.Tests.FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{port}";
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    public static string? SkipReason => File.Exists(Backend) ? null : "git http-backend is not installed (test/run installs git)";

    public string BaseUrl { get; }

    /// <summary>Requests refused for a missing or wrong password.</summary>
    public int Refused { get; private set; }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = _listener.GetContext();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                Answer(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // the client went away
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var request = context.Request;
        var authorization = request.Headers["Authorization"];
        var given = authorization?.StartsWith("Basic ", StringComparison.Ordinal) == true
            ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..])).Split(':', 2) : null;
        if (given is not { Length: 2 } || given[1] != _password)
        {
            Refused++;
            context.Response.StatusCode = 401;
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"git\"");
            context.Response.Close();
            return;
        }
        var start = new ProcessStartInfo(Backend) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_PROJECT_ROOT"] = _root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["REQUEST_METHOD"] = request.HttpMethod;
        start.Environment["PATH_INFO"] = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        start.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        start.Environment["REMOTE_USER"] = given[0];
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (request.Headers["Content-Encoding"] is { } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }
        if (request.Headers["Git-Protocol"] is { } protocol)
        {
            start.Environment["GIT_PROTOCOL"] = protocol;
        }
        using var backend = Process.Start(start)!;
        var body = Task.Run(() =>
        {
            request.InputStream.CopyTo(backend.StandardInput.BaseStream);
            backend.StandardInput.Close();
        });
        _ = backend.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        backend.StandardOutput.BaseStream.CopyTo(output);
        backend.WaitForExit();
        body.Wait();
        // CGI: headers, a blank line, the body.
        var bytes = output.ToArray();
        var end = IndexOf(bytes, "\r\n\r\n"u8) is var crlf and >= 0 ? (crlf, 4) : (IndexOf(bytes, "\n\n"u8), 2);
        var headers = Encoding.ASCII.GetString(bytes, 0, end.Item1).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var response = context.Response;
        foreach (var header in headers)
        {
            var (name, value) = (header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value[..3], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.AddHeader(name, value);
            }
        }
        response.OutputStream.Write(bytes, end.Item1 + end.Item2, bytes.Length - end.Item1 - end.Item2);
        response.Close();
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> pattern) => bytes.AsSpan().IndexOf(pattern);

    public void Dispose()
    {
        _listener.Close();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
