namespace Bookstore.AppHost.Extensions;

public static class ContainerRuntimeExtensions
{
    /// <summary>Aspire's setting for DCP's container runtime (also <c>ASPIRE_CONTAINER_RUNTIME</c>).</summary>
    public const string ContainerRuntimeKey = "DcpPublisher:ContainerRuntime";

    /// <summary>The container runtimes DCP accepts, by the name of their command-line tool.</summary>
    private static readonly string[] Runtimes = ["docker", "podman"];

    /// <summary>
    /// When the model has no container (the default SQLite run) and nobody chose a container runtime, DCP is pointed at
    /// the runtime whose command-line tool is not installed, so that it starts no container tool at all.
    /// <para>
    /// Why: DCP checks the container runtime at every start, containers in the model or not. Aspire runs <c>dcp info</c>
    /// before it starts DCP and waits for it (it runs <c>docker --version</c> and <c>docker network ls</c>), and DCP's
    /// controllers then list networks, containers and volumes: nine <c>docker</c> processes while the AppHost, the
    /// dashboard and the first service start on the same cores. Measured here (six interleaved pairs, README): 7.6-8.1 s
    /// to the home page with this, 8.4-10.2 s without. A runtime DCP does not find costs nothing: DCP looks the tool up
    /// on PATH, and no container is ever asked of it. With PostgreSQL (a container) or a runtime chosen by
    /// <c>ASPIRE_CONTAINER_RUNTIME</c> or <c>DcpPublisher:ContainerRuntime</c>, nothing changes; nor when both tools or
    /// neither are installed.
    /// </para>
    /// Call it after the model is complete.
    /// </summary>
    public static IDistributedApplicationBuilder WithoutContainerRuntimeWhenNoContainers(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode
            || builder.Resources.Any(resource => resource.IsContainer())
            || !string.IsNullOrEmpty(builder.Configuration[ContainerRuntimeKey])
            || !string.IsNullOrEmpty(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"])
            || !string.IsNullOrEmpty(builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"]))
        {
            return builder;
        }

        if (AbsentRuntime(Environment.GetEnvironmentVariable("PATH")) is { } absent)
        {
            builder.Configuration[ContainerRuntimeKey] = absent;
        }

        return builder;
    }

    /// <summary>
    /// The runtime whose tool is not on <paramref name="path"/> when another one is (the one DCP would otherwise run);
    /// null when every tool is there or none is (DCP starts none then).
    /// </summary>
    internal static string? AbsentRuntime(string? path)
    {
        var folders = (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var installed = Runtimes.Where(tool => folders.Any(folder => File.Exists(Path.Combine(folder, tool)))).ToList();
        return installed.Count is 0 || installed.Count == Runtimes.Length ? null : Runtimes.Except(installed).First();
    }
}
