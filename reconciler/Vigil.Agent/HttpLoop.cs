using System.Net;
using Serilog;

namespace Vigil.Agent;

/// <summary>The accept loop of the agent's HTTP endpoints, on a thread of their own: one request at a time, until the listener closes.</summary>
internal static class HttpLoop
{
    public static void Serve(HttpListener listener, Action<HttpListenerContext> answer, ILogger log, string what)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = listener.GetContext();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            try
            {
                answer(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                log.Debug("{What} request not answered: {Error}", what, e.Message);
            }
        }
    }
}
