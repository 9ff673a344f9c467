using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Controller.EngineKit;

namespace WordCount;

/// <summary>
/// Payload <c>{"text": "...", "milliseconds": 0}</c>: sleeps <c>milliseconds</c> (a slow engine), then answers
/// <c>{"words", "characters", "sha256"}</c> of the text. A payload without text, or with <c>"fail": "why"</c>, fails.
/// </summary>
public sealed class WordCountHandler : ITaskHandler
{
    public async Task<JsonNode?> HandleAsync(EngineTask task, CancellationToken cancellationToken)
    {
        if (task.Payload?["fail"]?.GetValue<string>() is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var text = task.Payload?["text"]?.GetValue<string>()
            ?? throw new ArgumentException("The payload has no 'text' (a string) to count the words of.");
        if (task.Payload?["milliseconds"]?.GetValue<int>() is > 0 and var milliseconds)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }

        return new JsonObject
        {
            ["words"] = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length,
            ["characters"] = text.Length,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
        };
    }
}
