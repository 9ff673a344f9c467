using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Controller.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Controller.Api.Tests.Hardening;

/// <summary>
/// Seeded fuzzing of every endpoint: mutated and random bodies, ids, content types and tokens. Fails on any 500,
/// on an error answer without the contract's fields, and on a rejected request that changed the database.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 1128;
    private const int Requests = 2500;

    private static readonly string[] ContentTypes = ["application/json", "application/xml", "text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=utf-16"];

    [Test]
    public async Task RandomRequests_NeverA500_AlwaysTheErrorBody_RejectedChangeNothing()
    {
        TestContext.Out.WriteLine($"seed {Seed}");
        var random = new Random(Seed);
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        await admin.PostAsJsonAsync("/engine", new { name = "e", image = "i", resources = new { cpuMillicores = 100, memoryMiB = 100 }, maxInstances = 3, desiredInstances = 3 });
        using var agent = await Agent.RegisterAsync(factory);
        await agent.ReportAsync();
        var instance = agent.Containers.First();
        var engineId = Guid.Parse(instance.Value.Launch["engineId"]!.GetValue<string>());
        var task = await admin.SubmitAsync(engineId);
        var clientToken = (await (await admin.PostAsJsonAsync("/token", new { kind = "client", name = "fuzz" })).ReadJsonAsync())["token"]!.GetValue<string>();
        var tokens = new[] { ControllerFactory.AdminToken, agent.Token, instance.Value.Launch["environment"]!["ENGINE_INSTANCE_TOKEN"]!.GetValue<string>(), null, "ctl_" + new string('x', 43), clientToken };
        var ids = new[] { agent.HostId.ToString(), instance.Key.ToString(), Guid.NewGuid().ToString(), "not-a-guid", "00000000-0000-0000-0000-000000000000", "%00", new string('9', 300), task.Id().ToString() };
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ControllerActionDescriptor>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .ToList();
        var templates = new JsonNode?[]
        {
            JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ApiClient.HostBody("fuzz"))),
            JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ApiClient.Status(containers: [new { containerId = "c", engineInstanceId = instance.Key, state = "running" }]))),
            JsonNode.Parse("""{"kind":"registration","name":"n","expiresAt":null}"""),
            JsonNode.Parse("""{"name":"f","image":"i","resources":{"cpuMillicores":1,"memoryMiB":1},"priority":1,"minInstances":0,"maxInstances":1,"desiredInstances":1,"hostLabels":{"a":"b"}}"""),
            JsonNode.Parse("""{"deadlineSeconds":5}"""),
            JsonNode.Parse("""{"machineId":"fuzz-gpu","hostname":"g","ipAddresses":["10.0.0.1"],"labels":{"a":"b"},"capacity":{"cpuMillicores":1000,"memoryMiB":1000,"gpuCount":1,"diskMiB":10,"gpus":[{"index":0,"model":"A10","memoryMiB":24576}]},"containers":[{"containerId":"c","engineInstanceId":null,"state":"running"}]}"""),
            JsonNode.Parse("""{"busy":true}"""),
            JsonNode.Parse("{\"engineId\":\"" + engineId + "\",\"payload\":{\"uri\":\"s3://b/a.wav\",\"n\":[1,2]},\"priority\":50,\"maxAttempts\":3,\"timeoutSeconds\":300,\"idempotencyKey\":\"k\"}"),
            JsonNode.Parse("{\"tasks\":[{\"engineId\":\"" + engineId + "\",\"payload\":1},{\"engineId\":\"" + engineId + "\",\"payload\":null,\"maxAttempts\":0}]}"),
            JsonNode.Parse("{\"completed\":[{\"taskId\":\"" + task.Id() + "\",\"outcome\":\"succeeded\",\"result\":{\"words\":1}},{\"taskId\":null,\"outcome\":\"failed\",\"error\":\"x\"}],\"maxItems\":1}"),
            JsonNode.Parse("""{"mode":"queue","targetTasksPerInstance":2,"scaleDownAfterSeconds":60}"""),
        };

        var rejected = 0;
        for (var n = 0; n < Requests; n++)
        {
            var (method, pattern) = endpoints[random.Next(endpoints.Count)];
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(pattern, "\\{[^}]+\\}", _ => Uri.EscapeDataString(ids[random.Next(ids.Length)]));
            if (random.Next(5) == 0)
            {
                path += "?page=" + Pick(random, ["0", "-1", "abc", "99999999999", "1", "2147483647", "1000000"]) + "&pageSize=" + Pick(random, ["0", "501", "x", "10"]) + "&state=" + Pick(random, ["active", "bogus", "", "queued", "leased"])
                    + "&limit=" + Pick(random, ["0", "-1", "501", "x", "5"]) + "&cursor=" + Pick(random, ["", "zz", new string('f', 32), Guid.NewGuid().ToString("N"), "%00"])
                    + "&after=" + Pick(random, ["", "-1", "0", "x", "99999999999999999999", "3"]) + "&type=" + Pick(random, ["host.lost", "nope", "", "%00"]);
            }

            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (tokens[random.Next(tokens.Length)] is { } token)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            }

            if (method is "POST" or "PUT" || random.Next(4) == 0)
            {
                var body = Mutate(random, templates[random.Next(templates.Length)]?.DeepClone());
                var contentType = ContentTypes[random.Next(ContentTypes.Length)];
                request.Content = new ByteArrayContent(body);
                if (contentType.Length > 0)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            var before = await FingerprintAsync(factory);
            using var client = factory.ClientWith(null);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                // An accepted live stream never ends; it changes nothing.
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"#{n} {method} {path}");
                continue;
            }

            var text = await response.Content.ReadAsStringAsync();
            if (path.StartsWith("/ui", StringComparison.Ordinal) && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                // The dashboard answers HTML pages and sign-in redirects; it never fails and changes nothing.
                Assert.That((int)response.StatusCode, Is.LessThan(500), $"#{n} {method} {path}");
                continue;
            }

            var context = $"#{n} {method} {path} -> {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}";
            Assert.That((int)response.StatusCode, Is.LessThan(500), context);
            if ((int)response.StatusCode >= 400)
            {
                rejected++;
                var error = JsonNode.Parse(text)!.AsObject();
                Assert.That(error.ContainsKey("ErrorId") && error.ContainsKey("ErrorDescription") && error.ContainsKey("ErrorDetail"), Is.True, context);
                Assert.That(await FingerprintAsync(factory), Is.EqualTo(before), $"rejected but changed state: {context}");
            }
        }

        TestContext.Out.WriteLine($"{Requests} requests, {rejected} rejected");
        Assert.That(rejected, Is.GreaterThan(Requests / 2), "the fuzzer mostly sends bad requests");
    }

    /// <summary>Just past 32 and 64 bits, both ways.</summary>
    private static readonly decimal[] Overflows = [2147483648m, -2147483649m, 9223372036854775808m, -9223372036854775809m, 18446744073709551616m];

    /// <summary>The longest allowed strings of the contract and one more (names 200, hostnames 253, images 500, container ids 128).</summary>
    private static readonly int[] Lengths = [63, 64, 128, 129, 200, 201, 253, 254, 500, 501];

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static byte[] Mutate(Random random, JsonNode? node)
    {
        switch (random.Next(8))
        {
            case 0:
                return Encoding.UTF8.GetBytes(new string('[', random.Next(1, 2000)));
            case 1:
                var garbage = new byte[random.Next(0, 200)];
                random.NextBytes(garbage);
                return garbage;
            case 2:
                return Encoding.UTF8.GetBytes("null");
        }

        return Encoding.UTF8.GetBytes(MutateNode(random, node)?.ToJsonString() ?? "{}");
    }

    private static JsonNode? MutateNode(Random random, JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var key in obj.Select(p => p.Key).ToList())
            {
                switch (random.Next(11))
                {
                    case 0: obj.Remove(key); break;
                    case 1: obj[key] = null; break;
                    case 2: obj[key] = JsonValue.Create(random.Next(2) == 0 ? -1 : 1e30); break;
                    case 3: obj[key] = JsonValue.Create(new string('z', random.Next(1, 5000))); break;
                    case 4: obj[key] = new JsonArray(JsonValue.Create(1), JsonValue.Create("x")); break;
                    case 5: obj[key] = JsonValue.Create("not-a-valid-enum"); break;
                    case 6: obj[key] = JsonValue.Create(Overflows[random.Next(Overflows.Length)]); break;
                    case 7: obj[key] = JsonValue.Create(new string('L', Lengths[random.Next(Lengths.Length)])); break;
                    case 8: obj[key] = JsonValue.Create(Pick(random, ["2030-01-01T00:00:00+02:00", "2030-01-01T00:00:00-11:30", "2030-01-01T00:00:00Z", "2030-13-45T99:00:00Z"])); break;
                    case 9:
                        // Null elements in a collection, and nulls nested in its objects.
                        if (obj[key] is JsonArray array)
                        {
                            array.Insert(random.Next(array.Count + 1), null);
                            foreach (var item in array.OfType<JsonObject>())
                            {
                                MutateNode(random, item);
                            }
                        }
                        else
                        {
                            obj[key] = new JsonArray(null, JsonValue.Create(1));
                        }

                        break;
                    default:
                        if (obj[key] is JsonObject child)
                        {
                            MutateNode(random, child);
                        }
                        else if (obj[key] is JsonArray items)
                        {
                            foreach (var item in items.OfType<JsonObject>())
                            {
                                MutateNode(random, item);
                            }
                        }

                        break;
                }
            }
        }

        return node;
    }

    private static Task<string> FingerprintAsync(ControllerFactory factory) => factory.WithDbAsync(async db =>
        string.Join('|',
            await db.Hosts.CountAsync(), await db.Hosts.SumAsync(h => h.Version),
            await db.Tokens.CountAsync(), await db.Tokens.SumAsync(t => t.Version),
            await db.Engines.CountAsync(), await db.Engines.SumAsync(e => e.Version),
            await db.EngineInstances.CountAsync(), await db.EngineInstances.SumAsync(i => i.Version),
            await db.Tasks.CountAsync(), await db.Tasks.SumAsync(t => t.Version)));
}
