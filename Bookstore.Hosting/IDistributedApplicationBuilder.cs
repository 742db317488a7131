using Bookstore.Hosting.ApplicationModel;

namespace Bookstore.Hosting;

public interface IDistributedApplicationBuilder
{
    DistributedApplicationOptions Options { get; }

    IReadOnlyList<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    /// <summary>A builder over a resource already in the model, e.g. for a test to change its replicas.</summary>
    IResourceBuilder<T> CreateResourceBuilder<T>(string name) where T : IResource;

    DistributedApplication Build();
}
