namespace Controller.Api.Tests.Infrastructure;

/// <summary>Files of this repository, found from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Controller.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Controller.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Path(string relative) => System.IO.Path.Combine(Root(), relative);
}
