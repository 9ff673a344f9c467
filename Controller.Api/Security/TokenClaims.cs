namespace Controller.Api.Security;

public static class TokenClaims
{
    public const string TokenId = "token_id";
    public const string Kind = "token_kind";
    public const string HostId = "host_id";
    public const string EngineInstanceId = "engine_instance_id";
    public const string Name = "token_name";

    public const string Admin = "admin";
    public const string Registration = "registration";
    public const string Host = "host";
    public const string EngineInstance = "engine-instance";
    public const string Client = "client";
    public const string Viewer = "viewer";
}

/// <summary>Authorization policies by token kind. Binding to one host or instance is checked in the application layer.</summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string Register = "register";
    public const string AdminOrHost = "admin-or-host";
    public const string Host = "host";
    public const string EngineInstance = "engine-instance";
    public const string AdminHostOrInstance = "admin-host-or-instance";
    public const string AdminOrClient = "admin-or-client";
    public const string AdminOrViewer = "admin-or-viewer";

    /// <summary>The dashboard: an admin or viewer signed in with the dashboard cookie.</summary>
    public const string Dashboard = "dashboard";
}
