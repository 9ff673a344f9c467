using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Controller.Api.OpenApi;

/// <summary>
/// Every operation gets a stable <c>operationId</c> (<c>{controller}{Action}</c>, e.g. <c>hostRegister</c>), the bearer
/// requirement, and the token kinds it accepts (<c>x-token-kinds</c> and a sentence in its description), read from the
/// same authorization policies that guard it.
/// </summary>
internal sealed class OperationConventionsTransformer : IOpenApiOperationTransformer
{
    /// <summary>Request and answer examples for the calls an agent and an engine make.</summary>
    private static readonly Dictionary<string, (string Request, string Status, string Answer)> AgentExamples = new(StringComparer.Ordinal)
    {
        ["hostRegister"] = (
            """
            {"machineId":"4c4c4544-0038-3510-8052-b4c04f4e4d32","hostname":"gpu-worker-17","ipAddresses":["10.0.3.17"],
             "agentVersion":"1.4.2","labels":{"zone":"a","pool":"gpu"},
             "capacity":{"cpuMillicores":16000,"memoryMiB":65536,"gpuCount":2,"diskMiB":512000,
                         "gpus":[{"index":0,"model":"A10","memoryMiB":24576},{"index":1,"model":"A10","memoryMiB":24576}]},
             "containers":[]}
            """,
            "201",
            """{"hostId":"0193a4f2-7c1e-7a10-8a3b-4c2d1e0f9a88","token":"ctl_shown-once","statusIntervalSeconds":5,"state":"active","created":true}"""),
        ["hostUpdateStatus"] = (
            """
            {"available":{"cpuMillicores":12000,"memoryMiB":50000,"gpuCount":1,"diskMiB":400000},
             "containers":[{"containerId":"9f2c6d","engineInstanceId":"0193a4f3-1111-7a10-8a3b-4c2d1e0f9a88","state":"running",
                            "exitCode":null,"cpuPercent":37.5,"memoryMiB":2048}]}
            """,
            "200",
            """
            {"mode":"continue","statusIntervalSeconds":5,
             "launch":[{"engineInstanceId":"0193a4f4-2222-7a10-8a3b-4c2d1e0f9a88","engineId":"0193a3aa-3333-7a10-8a3b-4c2d1e0f9a88",
                        "image":"registry/ocr:2.1","resources":{"cpuMillicores":2000,"memoryMiB":4096,"gpuCount":1,"diskMiB":0},
                        "gpuIndexes":[1],
                        "environment":{"CONTROLLER_URL":"http://controller:5080","ENGINE_ID":"0193a3aa-3333-7a10-8a3b-4c2d1e0f9a88",
                                       "ENGINE_INSTANCE_ID":"0193a4f4-2222-7a10-8a3b-4c2d1e0f9a88","ENGINE_INSTANCE_TOKEN":"ctl_secret",
                                       "OCR_LANGUAGES":"eng+deu"},
                        "command":["/opt/ocr/bin/ocr-engine","--threads","2"],"stopGraceSeconds":30}],
             "terminate":[{"engineInstanceId":"0193a4f3-1111-7a10-8a3b-4c2d1e0f9a88","containerId":"9f2c6d","reason":"scaled_down","stopGraceSeconds":30}]}
            """),
        ["engineInstanceHeartbeat"] = ("""{"busy":true}""", "200", """{"acceptWork":true,"stop":false,"state":"running","cancelledTaskIds":[]}"""),
    };

    private static OpenApiResponse ErrorResponse(string status, OpenApiDocument? document) => new()
    {
        Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)),
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(Contracts.ErrorResponse), document) },
        },
    };

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor is not ControllerActionDescriptor action)
        {
            return;
        }

        DeclareErrorsAndMediaTypes(operation, context.Document);
        operation.OperationId = char.ToLowerInvariant(action.ControllerName[0]) + action.ControllerName[1..] + action.ActionName;
        DescribeMergePatch(operation);
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerSecurityTransformer.SchemeName, context.Document)] = [] }];
        AddAgentExample(operation);
        await NameTokenKindsAsync(operation, action, context);
    }

    /// <summary>
    /// Answers every operation can give, with the error body: any request 401/403/429 (declared on the base
    /// controller); one with a body 400 (malformed or invalid), 408 (too slow), 413 (too large), 415 (not JSON).
    /// JSON only: application/json for bodies and successes, application/problem+json for errors.
    /// </summary>
    private static void DeclareErrorsAndMediaTypes(OpenApiOperation operation, OpenApiDocument? document)
    {
        operation.Responses ??= [];
        if (operation.RequestBody is not null)
        {
            foreach (var status in (string[])["400", "408", "413", "415"])
            {
                if (!operation.Responses.ContainsKey(status))
                {
                    operation.Responses[status] = ErrorResponse(status, document);
                }
            }
        }

        if (operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var type in requestContent.Keys.Where(k => k is not ("application/json" or Controllers.EngineController.MergePatchJson)).ToList())
            {
                requestContent.Remove(type);
            }
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            var keep = status.StartsWith('2') ? "application/json" : "application/problem+json";
            if (response is OpenApiResponse { Content: { } content })
            {
                foreach (var type in content.Keys.Where(k => k != keep).ToList())
                {
                    content.Remove(type);
                }
            }
        }
    }

    private static void DescribeMergePatch(OpenApiOperation operation)
    {
        if (operation.OperationId == "enginePatch" && operation.RequestBody?.Content is { } patchContent)
        {
            foreach (var media in patchContent.Values)
            {
                media.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "A JSON merge patch (RFC 7396) of the engine definition (the fields of POST /engine): members sent replace, null resets, the rest is kept.",
                };
                media.Example = JsonNode.Parse("""{"desiredInstances": 1}""");
            }
        }
    }

    private static void AddAgentExample(OpenApiOperation operation)
    {
        if (operation.OperationId is not { } id || !AgentExamples.TryGetValue(id, out var example))
        {
            return;
        }

        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
        {
            request.Example = JsonNode.Parse(example.Request);
        }

        if (operation.Responses?.TryGetValue(example.Status, out var answer) == true && answer is OpenApiResponse { Content: { } content }
            && content.TryGetValue("application/json", out var body))
        {
            body.Example = JsonNode.Parse(example.Answer);
        }
    }

    /// <summary>The token kinds the operation's policy admits, in its description and as <c>x-token-kinds</c>.</summary>
    private static async Task NameTokenKindsAsync(OpenApiOperation operation, ControllerActionDescriptor action, OpenApiOperationTransformerContext context)
    {
        var policyName = action.EndpointMetadata.OfType<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy;
        var provider = (IAuthorizationPolicyProvider?)context.ApplicationServices.GetService(typeof(IAuthorizationPolicyProvider));
        var policy = policyName is null || provider is null ? null : await provider.GetPolicyAsync(policyName);
        var kinds = policy?.Requirements.OfType<ClaimsAuthorizationRequirement>().SelectMany(r => r.AllowedValues ?? []).Distinct().ToList() ?? [];
        if (kinds.Count > 0)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-token-kinds"] = new JsonNodeExtension(new JsonArray([.. kinds.Select(k => JsonValue.Create(k))]));
            var sentence = $"Token kinds: {string.Join(", ", kinds)}.";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? sentence : operation.Description + "\n\n" + sentence;
        }
    }
}
