using Controller.Api.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Controller.Api.Controllers;

/// <summary>
/// The root: a browser is sent to the dashboard; an API client gets a small index of links (no token needed: it says
/// nothing about the cluster). Not part of the API's document.
/// </summary>
[Route("")]
[AllowAnonymous]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class IndexController : ControllerBase
{
    public static readonly IReadOnlyDictionary<string, string> Links = new Dictionary<string, string>
    {
        ["dashboard"] = "/ui",
        ["docs"] = "/docs",
        ["openapi"] = "/openapi/v1.json",
        ["health"] = "/healthz/ready",
    };

    [HttpGet]
    public IActionResult Index() =>
        Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            ? Redirect("/ui")
            : Ok(new IndexResponse("controller", Links));
}
