namespace Controller.ArchitectureTests;

/// <summary>The repository the tests run in: the folder above the test's own that holds <c>Controller.sln</c>.</summary>
internal static class Repository
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Controller.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Controller.sln not found above the test's folder.");
    }
}
