using System.Net;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Work;

/// <summary>
/// A client token's tasks are its own: it lists, reads and cancels only what it submitted (another client's task is
/// "not found"), cannot take over another client's idempotency key, and admins see and cancel every task.
/// </summary>
public sealed class TaskAccessTests
{
    [Test]
    public async Task AClient_SeesAndCancelsOnlyItsOwnTasks_AdminsEveryTask()
    {
        using var factory = new ControllerFactory();
        using var admin = factory.Admin();
        var engineId = await admin.CreateEngineAsync("queue", desired: 0);
        async Task<HttpClient> ClientAsync(string name) =>
            factory.ClientWith((await (await admin.PostAsJsonAsync("/token", new { kind = "client", name })).ReadJsonAsync())["token"]!.GetValue<string>());
        using var alice = await ClientAsync("alice");
        using var bob = await ClientAsync("bob");

        var alices = new[] { (await alice.SubmitAsync(engineId)).Id(), (await alice.SubmitAsync(engineId, idempotencyKey: "order-1")).Id() };
        var bobs = (await bob.SubmitAsync(engineId)).Id();
        var admins = (await admin.SubmitAsync(engineId)).Id();

        async Task<List<Guid>> ListAsync(HttpClient client) =>
            [.. (await (await client.GetAsync($"/task?engineId={engineId}")).ReadJsonAsync())["items"]!.AsArray().Select(t => Guid.Parse(t!["taskId"]!.GetValue<string>()))];

        Assert.Multiple(async () =>
        {
            Assert.That(await ListAsync(alice), Is.EquivalentTo(alices));
            Assert.That(await ListAsync(bob), Is.EquivalentTo(new[] { bobs }));
            Assert.That(await ListAsync(admin), Is.EquivalentTo(alices.Append(bobs).Append(admins)));
            Assert.That((await alice.GetAsync($"/task/{alices[0]}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await (await bob.GetAsync($"/task/{alices[0]}")).AssertErrorAsync(HttpStatusCode.NotFound, "task_not_found");
            await (await bob.DeleteAsync($"/task/{alices[0]}")).AssertErrorAsync(HttpStatusCode.NotFound, "task_not_found");
            await (await bob.GetAsync($"/task/{admins}")).AssertErrorAsync(HttpStatusCode.NotFound, "task_not_found");
            var taken = await bob.SubmitAsync(engineId, idempotencyKey: "order-1", expected: HttpStatusCode.Conflict);
            Assert.That(taken.ToJsonString(), Does.Not.Contain(alices[1].ToString()), "another client's task id is not revealed");
        });

        Assert.That((await alice.TaskAsync(alices[0]))["state"]!.GetValue<string>(), Is.EqualTo("queued"), "bob's cancel changed nothing");
        Assert.That((await alice.DeleteAsync($"/task/{alices[0]}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await admin.DeleteAsync($"/task/{bobs}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await bob.TaskAsync(bobs))["state"]!.GetValue<string>(), Is.EqualTo("cancelled"));
    }
}
