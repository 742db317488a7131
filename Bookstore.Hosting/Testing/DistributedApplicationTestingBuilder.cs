using System.Reflection;
using Bookstore.Hosting.ApplicationModel;

namespace Bookstore.Hosting.Testing;

/// <summary>
/// Builds, for a test, the model of an AppHost: its own Program.cs runs up to Build(), then the test may change
/// the model (replicas, environment) before it builds and starts it. All ports are random; there is no dashboard.
/// </summary>
public sealed class DistributedApplicationTestingBuilder : IDistributedApplicationBuilder
{
    private readonly DistributedApplicationBuilder _inner;

    private DistributedApplicationTestingBuilder(DistributedApplicationBuilder inner) => _inner = inner;

    public DistributedApplicationOptions Options => _inner.Options;

    public IReadOnlyList<IResource> Resources => _inner.Resources;

    /// <summary>The model of the AppHost project <typeparamref name="TAppHost"/> (its generated Projects.* metadata).</summary>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync<TAppHost>(string[]? args = null, CancellationToken cancellationToken = default)
        where TAppHost : IProjectMetadata, new()
    {
        cancellationToken.ThrowIfCancellationRequested();
        var assemblyName = Path.GetFileNameWithoutExtension(new TAppHost().ProjectPath);
        var appHost = Assembly.Load(new AssemblyName(assemblyName));
        return Task.FromResult(new DistributedApplicationTestingBuilder(TestingCapture.Capture(appHost, args ?? [])));
    }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource => _inner.AddResource(resource);

    public IResourceBuilder<T> CreateResourceBuilder<T>(string name) where T : IResource => _inner.CreateResourceBuilder<T>(name);

    public DistributedApplication Build()
    {
        foreach (var endpoint in Resources.SelectMany(resource => resource.Endpoints()))
        {
            // Parallel test runs must never collide on a port the AppHost fixed for development.
            endpoint.Port = null;
        }

        return _inner.BuildForRun();
    }

    public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Build());
    }
}
