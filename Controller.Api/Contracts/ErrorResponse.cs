using System.Text.Json;
using System.Text.Json.Serialization;

namespace Controller.Api.Contracts;

/// <summary>
/// The body of every non-2xx answer: RFC 9457 problem details (<c>application/problem+json</c>) with the contract's
/// <c>ErrorId</c> (a stable snake_case code to switch on), <c>ErrorDescription</c> and <c>ErrorDetail</c> (the ids
/// involved; for <c>validation_failed</c> and <c>malformed_request</c>, <c>errors</c>: field path → messages).
/// </summary>
public sealed record ErrorResponse(
    string Type,
    string Title,
    int Status,
    string Detail,
    string Instance,
    string TraceId,
    [property: JsonPropertyName("ErrorId")] string ErrorId,
    [property: JsonPropertyName("ErrorDescription")] string ErrorDescription,
    [property: JsonPropertyName("ErrorDetail")] IReadOnlyDictionary<string, JsonElement> ErrorDetail);
