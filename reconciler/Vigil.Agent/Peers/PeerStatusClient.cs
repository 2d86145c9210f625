using System.Net;
using System.Net.Http.Headers;

namespace Vigil.Agent.Peers;

/// <summary>One node's status as its agent answered a signed request, or why there is none.</summary>
public sealed record PeerAnswer(string Node, string? Address, StatusDocument? Status, string? Error);

/// <summary>
/// Asks each member of the cluster for its status (Cluster peerStatus): signed requests, signed answers checked, all
/// nodes at once, each bounded by a timeout so one silent node costs no more than that.
/// </summary>
public static class PeerStatusClient
{
    public static async Task<IReadOnlyList<PeerAnswer>> AskAll(PeerStatusDocument peers, byte[] key, TimeSpan timeout, CancellationToken cancel)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = timeout }) { Timeout = timeout };
        return await Task.WhenAll(peers.Nodes.Select(node => Ask(http, node, peers.Port, key, cancel))).ConfigureAwait(false);
    }

    private static async Task<PeerAnswer> Ask(HttpClient http, PeerNodeDocument node, int port, byte[] key, CancellationToken cancel)
    {
        if (node.Address is not { } text || !IPAddress.TryParse(text, out var address))
        {
            return new PeerAnswer(node.Node, node.Address, null, "no address in the Cluster");
        }
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var (time, nonce, signature) = PeerAuthentication.Sign(key, "GET", PeerStatusServer.Path, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host}:{port}{PeerStatusServer.Path}");
        request.Headers.Add(PeerAuthentication.TimeHeader, time);
        request.Headers.Add(PeerAuthentication.NonceHeader, nonce);
        request.Headers.TryAddWithoutValidation("Authorization", signature);
        try
        {
            using var response = await http.SendAsync(request, cancel).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new PeerAnswer(node.Node, text, null, $"refused ({(int)response.StatusCode}): {(response.StatusCode == HttpStatusCode.Unauthorized ? "another key, or clocks more than 30 s apart" : "its key is not readable")}");
            }
            var answered = response.Headers.TryGetValues(PeerAuthentication.SignatureHeader, out var values) ? values.FirstOrDefault() : null;
            if (!PeerAuthentication.AnswerIsSigned(key, nonce, body, answered))
            {
                return new PeerAnswer(node.Node, text, null, "the answer is not signed with the cluster's key: not trusted");
            }
            return new PeerAnswer(node.Node, text, StatusDocument.Parse(System.Text.Encoding.UTF8.GetString(body)), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return new PeerAnswer(node.Node, text, null, e is TaskCanceledException ? "no answer in time" : e.Message);
        }
    }
}
