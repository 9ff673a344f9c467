using Controller.Api.Dashboard;
using Controller.Api.Security;
using Controller.Application.Common.Security;
using Controller.Application.Dashboard.Queries.GetEngineHistory;
using Controller.Application.Dashboard.Queries.GetOverview;
using Controller.Application.Dashboard.Queries.ListHostUsage;
using Controller.Application.EngineInstances.Queries.ListEngineInstances;
using Controller.Application.Engines.Queries.GetEngine;
using Controller.Application.Engines.Queries.ListEngines;
using Controller.Application.Events.Queries.FollowEvents;
using Controller.Application.Events.Queries.ListEvents;
using Controller.Application.Hosts.Queries.GetHostDetail;
using Controller.Application.Work.Queries.GetTask;
using Controller.Application.Work.Queries.ListTasks;
using Controller.Domain.EngineInstances;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>
/// The read-only dashboard under /ui: server-rendered pages, signed in with an admin or viewer token exchanged for a
/// cookie; live updates follow the event feed. Not part of the JSON API (and not in its OpenAPI document).
/// </summary>
[Route("ui")]
[ApiExplorerSettings(IgnoreApi = true)]
[Authorize(Policy = Policies.Dashboard)]
public sealed class DashboardController(ISender sender) : Microsoft.AspNetCore.Mvc.Controller
{
    private const int PageSize = 100;

    [HttpGet("")]
    public async Task<IActionResult> Summary(CancellationToken ct) =>
        View(new SummaryModel(await sender.Send(new GetOverviewQuery(), ct)));

    /// <summary>Live hosts (every one not terminated) by default; <c>state=all</c> for every host, or one state.</summary>
    [HttpGet("hosts")]
    public async Task<IActionResult> Hosts([FromQuery] string? state, [FromQuery] int page = 1, CancellationToken ct = default)
    {
        var all = string.Equals(state, "all", StringComparison.OrdinalIgnoreCase);
        HostState? one = !all && Enum.TryParse<HostState>(state, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;
        var hosts = await sender.Send(new ListHostUsageQuery(one, LiveOnly: !all && one is null, page, PageSize), ct);
        return View(new HostsModel(hosts, all ? "all" : one is null ? null : Display.Lower(one)));
    }

    [HttpGet("hosts/{hostId:guid}")]
    public async Task<IActionResult> Host(Guid hostId, CancellationToken ct)
    {
        var host = await sender.Send(new GetHostDetailQuery(hostId), ct);
        var events = await sender.Send(new ListEventsQuery(null, [], hostId, null, null, 30), ct);
        return View(new HostModel(host, await EngineNamesAsync(ct), [.. events.Items.Reverse()]));
    }

    [HttpGet("engines")]
    public async Task<IActionResult> Engines(CancellationToken ct) =>
        View(new EnginesModel(await sender.Send(new GetOverviewQuery(RecentEvents: 0), ct)));

    [HttpGet("engines/{engineId:guid}")]
    public async Task<IActionResult> Engine(Guid engineId, CancellationToken ct)
    {
        var engine = await sender.Send(new GetEngineQuery(engineId), ct);
        var instances = await sender.Send(new ListEngineInstancesQuery(engineId, null, null, 1, PageSize), ct);
        var events = await sender.Send(new ListEventsQuery(null, [], null, engineId, null, 30), ct);
        var history = await sender.Send(new GetEngineHistoryQuery(), ct);
        return View(new EngineModel(engine, instances, [.. events.Items.Reverse()], history.Samples, history.Now));
    }

    [HttpGet("instances")]
    public async Task<IActionResult> Instances([FromQuery] EngineInstanceState? state, [FromQuery] Guid? engineId, [FromQuery] Guid? hostId, [FromQuery] int page = 1, CancellationToken ct = default)
    {
        var instances = await sender.Send(new ListEngineInstancesQuery(engineId, hostId, state, page, PageSize), ct);
        return View(new InstancesModel(instances, await EngineNamesAsync(ct), state is null ? null : Display.Lower(state), engineId, hostId));
    }

    /// <summary>The queue: tasks newest first, by engine and state, a page at a time (the API's cursor).</summary>
    [HttpGet("tasks")]
    public async Task<IActionResult> Tasks([FromQuery] Guid? engineId, [FromQuery] string? state, [FromQuery] string? cursor, CancellationToken ct)
    {
        WorkTaskState? one = Enum.TryParse<WorkTaskState>(state, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;
        var tasks = await sender.Send(new ListTasksQuery(engineId, one, string.IsNullOrEmpty(cursor) ? null : cursor, PageSize), ct);
        return View(new TasksModel(tasks, await EngineNamesAsync(ct), one is null ? null : Display.Lower(one), engineId, cursor));
    }

    /// <summary>One task: payload, result or last error, attempts, lease.</summary>
    [HttpGet("tasks/{taskId:guid}")]
    public async Task<IActionResult> TaskDetail(Guid taskId, CancellationToken ct)
    {
        var task = await sender.Send(new GetTaskQuery(taskId), ct);
        return View("Task", new TaskModel(task, (await EngineNamesAsync(ct)).GetValueOrDefault(task.EngineId)));
    }

    [HttpGet("events")]
    public async Task<IActionResult> Events([FromQuery] string? type, [FromQuery] Guid? hostId, [FromQuery] Guid? engineId, [FromQuery] Guid? instanceId, CancellationToken ct)
    {
        var types = string.IsNullOrEmpty(type) ? [] : new[] { type };
        var events = await sender.Send(new ListEventsQuery(null, types, hostId, engineId, instanceId, PageSize), ct);
        var hosts = (await sender.Send(new ListHostUsageQuery(null, LiveOnly: true, 1, 500), ct)).Items.ToDictionary(h => h.HostId, h => h.Hostname);
        return View(new EventsModel([.. events.Items.Reverse()], type, hostId, engineId, instanceId, hosts, await EngineNamesAsync(ct)));
    }

    /// <summary>The event feed for the pages' live updates (the cookie authenticates it; EventSource cannot send a bearer token).</summary>
    [HttpGet("events/stream")]
    [EventStream]
    public async Task<IResult> Stream([FromHeader(Name = "Last-Event-ID")] long? lastEventId, CancellationToken ct)
    {
        var stream = await sender.Send(new FollowEventsQuery(lastEventId, [], null, null, null), ct);
        return Contracts.EventStreams.Of(stream.Events, Security.EventStreamGuard.Watch(HttpContext));
    }

    [HttpGet("signin")]
    [AllowAnonymous]
    public IActionResult SignIn([FromQuery] string? returnUrl) => View(new SignInModel(null, returnUrl));

    [HttpPost("signin")]
    [AllowAnonymous]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> SignInPost([FromServices] ITokenAuthenticator authenticator, CancellationToken ct)
    {
        var form = await Request.ReadFormAsync(ct);
        var returnUrl = form["returnUrl"].ToString();
        var (principal, refusal) = await DashboardCookie.SignInAsync(authenticator, form["token"].ToString(), ct);
        if (principal is null)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return View(nameof(SignIn), new SignInModel(refusal, returnUrl));
        }

        await HttpContext.SignInAsync(DashboardCookie.SchemeName, principal);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/ui", StringComparison.Ordinal) ? returnUrl : "/ui");
    }

    [HttpPost("signout")]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> SignOutPost()
    {
        await HttpContext.SignOutAsync(DashboardCookie.SchemeName);
        return LocalRedirect("/ui/signin");
    }

    private async Task<IReadOnlyDictionary<Guid, string>> EngineNamesAsync(CancellationToken ct) =>
        (await sender.Send(new ListEnginesQuery(1, 500), ct)).Items.ToDictionary(e => e.EngineId, e => e.Name);
}
