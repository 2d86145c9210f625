using System.Text.Json;
using System.Text.Json.Serialization;
using Serilog;
using Vigil.Core.Desired;

namespace Vigil.Notifications;

/// <summary>The transition as a webhook receives it (JSON, camelCase).</summary>
public sealed record TransitionEvent(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("previousState")] string PreviousState,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("priority")] int Priority,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("commit")] string? Commit)
{
    /// <summary>Tells a transition from a <see cref="PoolEvent"/> at the receiver.</summary>
    [JsonPropertyName("type")]
    public string Type => "transition";
}

/// <summary>A real server (<paramref name="RealServer"/> set; type "realServer") or a virtual server's quorum (type "quorum") went UP or DOWN.</summary>
public sealed record PoolEvent(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("virtualServer")] string VirtualServer,
    [property: JsonPropertyName("realServer")] string? RealServer,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("commit")] string? Commit)
{
    [JsonPropertyName("type")]
    public string Type => RealServer is null ? "quorum" : "realServer";
}

/// <summary>POSTs each transition and pool change to the Cluster's webhook in the background: logged, retried once, never delaying the engine.</summary>
public sealed class WebhookNotifier(WebhookSpec spec, ILogger log) : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = spec.Timeout };

    public Task Send(TransitionEvent transition) => Post(transition, $"{transition.Instance} {transition.State}");

    public Task Send(PoolEvent change) => Post(change, $"{change.VirtualServer} {change.RealServer ?? "quorum"} {change.State}");

    private Task Post<T>(T payload, string what) => Task.Run(async () =>
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                // Serialized first, so the request has a Content-Length: small receivers often cannot read chunked bodies.
                using var content = new StringContent(JsonSerializer.Serialize(payload), System.Text.Encoding.UTF8, "application/json");
                using var response = await _client.PostAsync(spec.Url, content).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                log.Warning("webhook {Url}: status {Status} for {What}", spec.Url, (int)response.StatusCode, what);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                log.Warning("webhook {Url}: {Error} for {What}", spec.Url, e.Message, what);
            }
            if (attempt == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
    });

    public void Dispose() => _client.Dispose();
}
