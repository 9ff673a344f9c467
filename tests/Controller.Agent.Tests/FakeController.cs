using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Controller.Agent.Tests;

/// <summary>
/// A controller that answers what the test says, per path ending ("register", "updatestatus", "token"), and records
/// every request with its bearer token and body.
/// </summary>
internal sealed class FakeController : HttpMessageHandler
{
    private readonly Dictionary<string, Queue<Func<HttpResponseMessage>>> _answers = [];

    public List<(string Path, string? Token, JsonNode? Body, DateTimeOffset At)> Requests { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, status < HttpStatusCode.BadRequest ? "application/json" : "application/problem+json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string errorId, string? detail = null) =>
        Json(status, $$"""{"status": {{(int)status}}, "ErrorId": "{{errorId}}", "ErrorDescription": "{{errorId}}", "ErrorDetail": {{detail ?? "{}"}}}""");

    public static HttpResponseMessage Status(string mode = "continue", string launch = "[]", string terminate = "[]") =>
        Json(HttpStatusCode.OK, $$"""{"mode": "{{mode}}", "statusIntervalSeconds": 1, "launch": {{launch}}, "terminate": {{terminate}}}""");

    public static string Launch(Guid instanceId, int grace = 30) => $$"""
        [{"engineInstanceId": "{{instanceId}}", "engineId": "{{Guid.NewGuid()}}", "image": "local/wordcount", "command": ["wordcount"],
          "resources": {"cpuMillicores": 500, "memoryMiB": 256, "gpuCount": 0, "diskMiB": 0}, "gpuIndexes": [],
          "environment": {"ENGINE_INSTANCE_ID": "{{instanceId}}", "ENGINE_INSTANCE_TOKEN": "ctl_x"}, "stopGraceSeconds": {{grace}}}]
        """;

    /// <summary>The next answers to requests whose path ends with <paramref name="path"/> (the last one repeats).</summary>
    public FakeController On(string path, params Func<HttpResponseMessage>[] answers)
    {
        _answers[path] = new Queue<Func<HttpResponseMessage>>(answers);
        return this;
    }

    public IEnumerable<JsonNode?> BodiesOf(string path) => Requests.Where(r => r.Path.EndsWith(path, StringComparison.Ordinal)).Select(r => r.Body);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken) is { Length: > 0 } text ? text : "null");
        Requests.Add((path, request.Headers.Authorization?.Parameter, body, DateTimeOffset.UtcNow));
        var key = _answers.Keys.FirstOrDefault(k => path.EndsWith(k, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The fake controller has no answer for {path}.");
        var queue = _answers[key];
        return (queue.Count > 1 ? queue.Dequeue() : queue.Peek())();
    }
}
