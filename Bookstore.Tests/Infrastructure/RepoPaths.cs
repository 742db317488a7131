using System.Reflection;

namespace Bookstore.Tests.Infrastructure;

/// <summary>Where the repository and the services' build output are, seen from the test binary.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "BuildConfiguration").Value!;

    public static string ProjectDirectory(string project) => Path.Combine(Root, project);

    /// <summary>The service's own build output (built first through the ProjectReference).</summary>
    public static string ServiceAssembly(string project) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Bookstore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Bookstore.sln above {AppContext.BaseDirectory}.");
    }
}
