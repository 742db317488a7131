namespace Bookstore.Hosting.ApplicationModel;

public interface IResourceBuilder<out T> where T : IResource
{
    T Resource { get; }

    IDistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, IDistributedApplicationBuilder applicationBuilder) : IResourceBuilder<T> where T : IResource
{
    public T Resource { get; } = resource;

    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
}
