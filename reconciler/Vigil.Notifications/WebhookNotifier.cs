using System.Net.Http.Json;
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
    [property: JsonPropertyName("commit")] string? Commit);

/// <summary>POSTs each transition to the Cluster's webhook in the background: logged, retried once, never delaying the engine.</summary>
public sealed class WebhookNotifier(WebhookSpec spec, ILogger log) : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = spec.Timeout };

    public Task Send(TransitionEvent transition) => Task.Run(async () =>
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                using var response = await _client.PostAsJsonAsync(spec.Url, transition).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                log.Warning("webhook {Url}: status {Status} for {Instance} {State}", spec.Url, (int)response.StatusCode, transition.Instance, transition.State);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                log.Warning("webhook {Url}: {Error} for {Instance} {State}", spec.Url, e.Message, transition.Instance, transition.State);
            }
            if (attempt == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
    });

    public void Dispose() => _client.Dispose();
}
