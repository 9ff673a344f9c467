namespace Controller.Api.Errors;

/// <summary>Carries the contract's error id and detail from where an error is detected to where its body is written.</summary>
public static class ErrorContext
{
    private const string Key = "controller-error";

    public static void Set(HttpContext context, string errorId, string description, object? detail = null) =>
        context.Items[Key] = new ErrorInfo(errorId, description, detail);

    public static ErrorInfo? Get(HttpContext context) => context.Items[Key] as ErrorInfo;

    public sealed record ErrorInfo(string ErrorId, string Description, object? Detail);
}
