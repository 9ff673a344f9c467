// Written by hand (not generated): how the agent and the engine kit build the generated client.
using System.Text.Json;
using System.Text.Json.Nodes;
using Controller.Client.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Controller.Client;

/// <summary>Builds the generated client on an <see cref="HttpClient"/> (whose handlers carry retries and back-off) with a bearer token.</summary>
public static class ControllerClients
{
    /// <summary>A client that sends <c>Authorization: Bearer</c> with whatever <paramref name="token"/> returns at each call (so a rotated token is used at once).</summary>
    public static ControllerApiClient Create(HttpClient http, Uri baseUrl, Func<string?> token) =>
        new(new HttpClientRequestAdapter(new BearerToken(token), httpClient: http) { BaseUrl = baseUrl.ToString().TrimEnd('/') });

    /// <summary>
    /// Retries with capped exponential back-off and jitter (five retries, 1 s up to 30 s), honouring <c>Retry-After</c>,
    /// for 408, 429, 5xx and failed connections; 30 s per attempt, 2 minutes in all. Every call the agent and the engine
    /// kit make is safe to repeat (the protocol is level-triggered).
    /// </summary>
    public static IHttpClientBuilder AddControllerResilience(this IHttpClientBuilder builder)
    {
        builder.AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = 5;
            o.Retry.Delay = TimeSpan.FromSeconds(1);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(30);
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(30);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(60);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(2);
        });
        return builder;
    }

    /// <summary>The error's id (<c>ErrorId</c>) when the controller answered with its error body.</summary>
    public static bool Is(this Exception exception, int status, string? errorId = null) =>
        exception is ApiException api && api.ResponseStatusCode == status
        && (errorId is null || (exception is ErrorResponse error && error.ErrorId == errorId));

    /// <summary>A JSON value the generated client carries as <see cref="UntypedNode"/> (task payloads and results).</summary>
    public static JsonNode? ToJsonNode(this UntypedNode? node) => node switch
    {
        null or UntypedNull => null,
        UntypedObject o => new JsonObject(o.GetValue().Select(p => KeyValuePair.Create(p.Key, ToJsonNode(p.Value)))),
        UntypedArray a => new JsonArray([.. a.GetValue().Select(ToJsonNode)]),
        UntypedString s => JsonValue.Create(s.GetValue()),
        UntypedBoolean b => JsonValue.Create(b.GetValue()),
        UntypedInteger i => JsonValue.Create(i.GetValue()),
        UntypedLong l => JsonValue.Create(l.GetValue()),
        UntypedDouble d => JsonValue.Create(d.GetValue()),
        UntypedFloat f => JsonValue.Create(f.GetValue()),
        UntypedDecimal m => JsonValue.Create(m.GetValue()),
        _ => throw new NotSupportedException($"Unknown JSON node {node.GetType().Name}."),
    };

    /// <summary>The other way: a JSON value as the generated client sends it.</summary>
    public static UntypedNode ToUntypedNode(this JsonNode? node) =>
        node is null ? new UntypedNull() : ToUntypedNode(JsonSerializer.SerializeToElement(node));

    private static UntypedNode ToUntypedNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new UntypedObject(element.EnumerateObject().ToDictionary(p => p.Name, p => ToUntypedNode(p.Value))),
        JsonValueKind.Array => new UntypedArray([.. element.EnumerateArray().Select(ToUntypedNode)]),
        JsonValueKind.String => new UntypedString(element.GetString()),
        JsonValueKind.True => new UntypedBoolean(true),
        JsonValueKind.False => new UntypedBoolean(false),
        JsonValueKind.Number when element.TryGetInt64(out var l) => new UntypedLong(l),
        JsonValueKind.Number => new UntypedDouble(element.GetDouble()),
        _ => new UntypedNull(),
    };

    private sealed class BearerToken(Func<string?> token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            if (token() is { Length: > 0 } value)
            {
                request.Headers.TryAdd("Authorization", $"Bearer {value}");
            }

            return Task.CompletedTask;
        }
    }
}
