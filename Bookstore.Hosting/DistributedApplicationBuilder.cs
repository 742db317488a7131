using System.Text.RegularExpressions;
using Bookstore.Hosting.ApplicationModel;
using Bookstore.Hosting.Testing;

namespace Bookstore.Hosting;

internal sealed partial class DistributedApplicationBuilder(DistributedApplicationOptions options) : IDistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    public DistributedApplicationOptions Options { get; } = options;

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (!ResourceName().IsMatch(resource.Name))
        {
            throw new DistributedApplicationException(
                $"Resource name '{resource.Name}' is invalid: use 1 to 64 lowercase letters, digits and dashes, starting with a letter.");
        }

        if (_resources.Any(existing => string.Equals(existing.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(string name) where T : IResource =>
        _resources.SingleOrDefault(resource => resource.Name == name) is T resource
            ? new ResourceBuilder<T>(resource, this)
            : throw new DistributedApplicationException($"There is no {typeof(T).Name} named '{name}'.");

    public DistributedApplication Build()
    {
        // Under the testing builder, the AppHost's own Program.cs stops here and hands its model to the test.
        TestingCapture.HandOver(this);
        return BuildForRun();
    }

    internal DistributedApplication BuildForRun()
    {
        ModelValidator.Validate(_resources);
        return new DistributedApplication(_resources, Options);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex ResourceName();
}
