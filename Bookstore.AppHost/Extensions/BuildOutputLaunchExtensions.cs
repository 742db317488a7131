using System.Reflection;

namespace Bookstore.AppHost.Extensions;

public static class BuildOutputLaunchExtensions
{
    /// <summary>
    /// Starts every project resource from its build output (the executable the AppHost's build just produced, in the
    /// AppHost's configuration) instead of through <c>dotnet run --no-build</c>, as Aspire does.
    /// <para>
    /// Why: <c>dotnet run</c> evaluates the project again before it starts it, about 1 s per start here, and the
    /// Marketplace only starts once Recommendations is healthy, so the two add up (bench/startup.sh).
    /// </para>
    /// <para>
    /// The model stays an ordinary Aspire model: the resources are still <c>ProjectResource</c>s (project.v0 in the
    /// manifest), and under an IDE (DEBUG_SESSION_PORT set) Aspire still hands projects to the IDE to debug. A project
    /// whose executable is missing (not built) keeps Aspire's own launch.
    /// </para>
    /// </summary>
    public static IDistributedApplicationBuilder RunProjectsFromBuildOutput(this IDistributedApplicationBuilder builder)
    {
        var outputs = BuildOutputs(typeof(BuildOutputLaunchExtensions).Assembly);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var metadata = project.GetProjectMetadata();
            if (outputs.TryGetValue(Path.GetFullPath(metadata.ProjectPath), out var executable) && File.Exists(executable))
            {
                project.Annotations.Add(new ExecutableAnnotation
                {
                    Command = executable,
                    // As dotnet run does: the project folder is the content root (appsettings, wwwroot).
                    WorkingDirectory = Path.GetDirectoryName(metadata.ProjectPath)!,
                });
            }
        }

        return builder;
    }

    /// <summary>Project path → the native executable beside its built assembly, recorded at build time (Bookstore.AppHost.csproj).</summary>
    internal static Dictionary<string, string> BuildOutputs(Assembly appHost) =>
        appHost.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(attribute => attribute.Key.StartsWith("BuildOutput:", StringComparison.Ordinal) && attribute.Value is not null)
            .ToDictionary(
                attribute => Path.GetFullPath(attribute.Key["BuildOutput:".Length..]),
                attribute => Path.ChangeExtension(attribute.Value!, null));
}
