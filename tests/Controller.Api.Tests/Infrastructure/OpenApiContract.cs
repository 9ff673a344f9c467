using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>
/// The served OpenAPI document as a validator: finds the operation of a request and checks request and response
/// bodies against the schemas the document gives them (JSON Schema 2020-12, as OpenAPI 3.1 uses).
/// </summary>
public sealed class OpenApiContract
{
    private static readonly Uri Base = new("http://controller.test/openapi.json");
    private readonly List<(Regex Path, string Template, JsonObject Item)> _paths;
    private readonly EvaluationOptions _options;

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        _options.SchemaRegistry.Register(Base, new JsonNodeBaseDocument(document, Base));
        _paths = [.. document["paths"]!.AsObject().Select(p => (
            new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^/]+?\}", "[^/]+") + "$", RegexOptions.CultureInvariant),
            p.Key,
            p.Value!.AsObject()))];
    }

    public JsonObject Document { get; }

    public static OpenApiContract Parse(string json) => new(JsonNode.Parse(json)!.AsObject());

    /// <summary>The operation of a request, with the JSON pointer to it; null when no documented path matches.</summary>
    public (JsonObject Operation, string Pointer)? Find(string method, string path)
    {
        foreach (var (regex, template, item) in _paths)
        {
            if (regex.IsMatch(path) && item[method.ToLowerInvariant()] is JsonObject operation)
            {
                return (operation, "#/paths/" + Escape(template) + "/" + method.ToLowerInvariant());
            }
        }

        return null;
    }

    /// <summary>Problems of a request body under the operation's documented schema (null when it conforms).</summary>
    public string? CheckRequest(JsonObject operation, string location, MediaTypeHeaderValue? contentType, JsonNode? body, bool hasBody)
    {
        if (operation["requestBody"] is not JsonObject requestBody)
        {
            return null;
        }

        if (!hasBody)
        {
            return requestBody["required"]?.GetValue<bool>() == true ? "the body is required" : null;
        }

        var mediaType = contentType?.MediaType ?? string.Empty;
        if (requestBody["content"]?[mediaType] is null)
        {
            return $"content type '{mediaType}' is not documented";
        }

        return body is null && hasBody
            ? "the body is not JSON"
            : Evaluate(location + "/requestBody/content/" + Escape(mediaType) + "/schema", body);
    }

    /// <summary>Problems of a response under the operation's documented responses (null when it conforms).</summary>
    public string? CheckResponse(JsonObject operation, string location, int status, MediaTypeHeaderValue? contentType, JsonNode? body)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]?[key] is not JsonObject response)
        {
            return $"status {status} is not documented for this operation";
        }

        if (response["content"] is not JsonObject content || content.Count == 0)
        {
            return body is null ? null : $"status {status} is documented without a body";
        }

        var mediaType = contentType?.MediaType ?? string.Empty;
        if (!content.ContainsKey(mediaType))
        {
            return $"content type '{mediaType}' is not documented for status {status} (documented: {string.Join(", ", content.Select(c => c.Key))})";
        }

        return Evaluate($"{location}/responses/{key}/content/{Escape(mediaType)}/schema", body);
    }

    /// <summary>Every example in the document that its schema refuses, with why (empty when all conform).</summary>
    public List<string> CheckExamples()
    {
        var problems = new List<string>();
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var location = "#/paths/" + Escape(path) + "/" + method;
                var contents = new List<(string Pointer, JsonObject Content)>();
                if (operation!["requestBody"]?["content"] is JsonObject requestContent)
                {
                    contents.Add((location + "/requestBody/content", requestContent));
                }

                foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
                {
                    if (response!["content"] is JsonObject responseContent)
                    {
                        contents.Add(($"{location}/responses/{status}/content", responseContent));
                    }
                }

                foreach (var (pointer, content) in contents)
                {
                    foreach (var (mediaType, media) in content)
                    {
                        if (media!["example"] is { } example && media["schema"] is not null && Evaluate($"{pointer}/{Escape(mediaType)}/schema", example) is { } problem)
                        {
                            problems.Add($"{method.ToUpperInvariant()} {path} {pointer[(location.Length + 1)..]} {mediaType}: {problem}");
                        }
                    }
                }
            }
        }

        return problems;
    }

    private string? Evaluate(string schemaPointer, JsonNode? instance)
    {
        var schema = JsonSchema.FromText($$"""{"$ref":"{{Base}}{{schemaPointer}}"}""");
        EvaluationResults result;
        try
        {
            result = schema.Evaluate(instance, _options);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            // The validator reads numbers as decimals: one beyond their range fits no integer field of the document either.
            return "a number is beyond any documented range";
        }

        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} ({d.EvaluationPath})"))
            .Take(8);
        return string.Join("; ", errors);
    }

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>Checks every request a test sends and every answer it gets against the served OpenAPI document.</summary>
public sealed class ContractCheckingHandler(Func<OpenApiContract> contract, bool allowServerErrors = false) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? sent = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (path.StartsWith("/openapi/", StringComparison.Ordinal) || path.StartsWith("/healthz/", StringComparison.Ordinal) || path.StartsWith("/docs", StringComparison.Ordinal))
        {
            return response;
        }

        var status = (int)response.StatusCode;
        if (status >= 500 && allowServerErrors)
        {
            return response;
        }

        if (status >= 500)
        {
            throw new ContractViolationException($"{request.Method} {path}: {status} — no request may reach a 5xx");
        }

        if (contract().Find(request.Method.Method, Uri.UnescapeDataString(path)) is not { } found)
        {
            return response; // no such route: the framework's 404/405, checked by the error-body tests
        }

        var c = contract();
        var requestProblem = c.CheckRequest(found.Operation, found.Pointer, request.Content?.Headers.ContentType, Parse(sent), sent is { Length: > 0 });
        if (requestProblem is not null && status is >= 200 and < 300)
        {
            throw new ContractViolationException($"{request.Method} {path}: answered {status} to a request the document forbids: {requestProblem}");
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream" && status == 200)
        {
            // A live stream never ends: its framing is checked by the stream tests, not buffered here.
            return response;
        }

        var received = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var copy = new ByteArrayContent(received);
        foreach (var header in response.Content.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = copy;
        var responseProblem = c.CheckResponse(found.Operation, found.Pointer, status, copy.Headers.ContentType, Parse(received));
        if (responseProblem is not null)
        {
            throw new ContractViolationException($"{request.Method} {path} -> {status}: the answer breaks the document: {responseProblem}\n{System.Text.Encoding.UTF8.GetString(received)[..Math.Min(600, received.Length)]}");
        }

        return response;
    }

    private static JsonNode? Parse(byte[]? bytes)
    {
        if (bytes is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

public sealed class ContractViolationException(string message) : Exception(message);
