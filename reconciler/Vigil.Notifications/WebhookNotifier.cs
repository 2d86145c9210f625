using System.Text.Json;
using System.Text.Json.Serialization;
using Serilog;
using Vigil.Core.Desired;
using Vigil.Core.Secrets;

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
    // One client for the process, whatever the number of webhook edits: a client per notifier leaked its connection
    // pool each time a revision changed the URL. The spec's timeout bounds each request instead.
    private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Task Send(TransitionEvent transition) => Post(JsonSerializer.Serialize(transition, WebhookJson.Default.TransitionEvent), $"{transition.Instance} {transition.State}");

    public Task Send(PoolEvent change) => Post(JsonSerializer.Serialize(change, WebhookJson.Default.PoolEvent), $"{change.VirtualServer} {change.RealServer ?? "quorum"} {change.State}");

    private Task Post(string payload, string what) => Task.Run(async () =>
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            string failure;
            try
            {
                // Serialized first, so the request has a Content-Length: small receivers often cannot read chunked bodies.
                using var content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json");
                using var limit = new CancellationTokenSource(spec.Timeout);
                using var response = await Client.PostAsync(spec.Url, content, limit.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                failure = $"status {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A receiver that accepts and never answers ends here, at the spec's timeout.
                failure = e is TaskCanceledException ? $"no answer within {Durations.Format(spec.Timeout)}" : Redaction.UrlsIn(e.Message);
            }
            if (attempt == 2)
            {
                // Reported once, when given up.
                log.Warning("webhook {Url}: {Error} for {What} (2 attempts)", Redaction.Url(spec.Url), failure, what);
                return;
            }
            log.Information("webhook {Url}: {Error} for {What}; retrying in 2s", Redaction.Url(spec.Url), failure, what);
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
    });

    /// <summary>Nothing to release: the client is shared. Kept so owners need not know.</summary>
    public void Dispose()
    {
    }
}

/// <summary>The webhook's bodies, serialised by code generated at build time (the agent also runs as a NativeAOT binary).</summary>
[JsonSerializable(typeof(TransitionEvent))]
[JsonSerializable(typeof(PoolEvent))]
internal sealed partial class WebhookJson : JsonSerializerContext;
