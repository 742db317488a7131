using System.Globalization;

namespace Bookstore.Hosting.ApplicationModel;

/// <summary>The builder API of the app model, named as Aspire names it.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithAnnotation<T>(this IResourceBuilder<T> builder, IResourceAnnotation annotation) where T : IResource
    {
        builder.Resource.Annotations.Add(annotation);
        return builder;
    }

    /// <summary>Injects <c>services__{target}__{endpoint}__{i}</c> for every endpoint of every replica of the target.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> target) where T : IResource =>
        builder.WithAnnotation(new ResourceReferenceAnnotation(target.Resource));

    /// <summary>Starts the resource only once the target is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> target) where T : IResource =>
        builder.WithAnnotation(new WaitAnnotation(target.Resource));

    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas) where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return builder.WithAnnotation(new ReplicaAnnotation(replicas));
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, string? name = null) where T : IResource =>
        builder.WithEndpoint(name ?? "http", "http", port);

    public static IResourceBuilder<T> WithHttpsEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, string? name = null) where T : IResource =>
        builder.WithEndpoint(name ?? "https", "https", port);

    /// <summary>Every HTTP endpoint of the resource speaks HTTP/2 only (gRPC services without TLS).</summary>
    public static IResourceBuilder<T> AsHttp2Service<T>(this IResourceBuilder<T> builder) where T : IResource
    {
        foreach (var endpoint in builder.Resource.Endpoints())
        {
            endpoint.Transport = EndpointTransport.Http2;
        }

        return builder;
    }

    /// <summary>Every HTTP endpoint of the resource is reachable from outside the app.</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResource
    {
        foreach (var endpoint in builder.Resource.Endpoints())
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string? endpointName = null) where T : IResource
    {
        var endpoints = builder.Resource.Endpoints();
        var endpoint = endpointName ?? (endpoints.Count > 0 ? endpoints[0].Name : null)
            ?? throw new DistributedApplicationException($"Resource '{builder.Resource.Name}' has no endpoint to health-check; add one first.");
        return builder.WithAnnotation(new HealthCheckAnnotation(path, endpoint));
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value) where T : IResource =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string> value) where T : IResource =>
        builder.WithEnvironment(context => context.EnvironmentVariables[name] = value());

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentContext> callback) where T : IResource =>
        builder.WithAnnotation(new EnvironmentAnnotation(callback));

    private static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string name, string scheme, int? port) where T : IResource
    {
        if (builder.Resource.Endpoints().Any(endpoint => endpoint.Name == name))
        {
            throw new DistributedApplicationException($"Resource '{builder.Resource.Name}' already has an endpoint named '{name}'.");
        }

        if (port is < 1 or > 65535)
        {
            throw new DistributedApplicationException(
                $"Endpoint '{name}' of '{builder.Resource.Name}': port {port.Value.ToString(CultureInfo.InvariantCulture)} is not between 1 and 65535.");
        }

        return builder.WithAnnotation(new EndpointAnnotation(name, scheme, port));
    }
}

public static class ProjectResourceBuilderExtensions
{
    /// <summary>Adds a project from its generated metadata, with an "http" endpoint as Aspire gives one from launchSettings.</summary>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var metadata = new TProject();
        return builder.AddProject(name, metadata.ProjectPath, metadata.Configuration);
    }

    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectPath, string configuration = "Debug") =>
        builder.AddResource(new ProjectResource(name, Path.GetFullPath(projectPath), configuration)).WithHttpEndpoint();
}
