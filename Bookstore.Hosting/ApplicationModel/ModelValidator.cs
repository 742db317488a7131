namespace Bookstore.Hosting.ApplicationModel;

/// <summary>Fails fast, with a message that names the resource, on a model that cannot run.</summary>
internal static class ModelValidator
{
    public static void Validate(IReadOnlyList<IResource> resources)
    {
        foreach (var resource in resources)
        {
            ValidateResource(resource, resources);
        }

        var cycle = FindWaitCycle(resources);
        if (cycle is not null)
        {
            throw new DistributedApplicationException($"WaitFor cycle: {string.Join(" -> ", cycle)}. Nothing in it could ever start.");
        }
    }

    private static void ValidateResource(IResource resource, IReadOnlyList<IResource> resources)
    {
        if (resource is ProjectResource project && !File.Exists(project.ProjectPath))
        {
            throw new DistributedApplicationException($"Resource '{resource.Name}': project file '{project.ProjectPath}' does not exist.");
        }

        foreach (var dependency in resource.Dependencies())
        {
            if (!resources.Contains(dependency))
            {
                throw new DistributedApplicationException(
                    $"Resource '{resource.Name}' references '{dependency.Name}', which is not part of this app model.");
            }
        }

        foreach (var reference in resource.AnnotationsOf<ResourceReferenceAnnotation>().Where(reference => reference.Target.Endpoints().Count == 0))
        {
            throw new DistributedApplicationException(
                $"Resource '{resource.Name}' references '{reference.Target.Name}', which has no endpoint to be reached at.");
        }

        foreach (var check in resource.AnnotationsOf<HealthCheckAnnotation>().Where(check => resource.Endpoints().All(endpoint => endpoint.Name != check.EndpointName)))
        {
            throw new DistributedApplicationException($"Resource '{resource.Name}': its health check names endpoint '{check.EndpointName}', which it does not have.");
        }

        if (resource.Replicas() > 1 && resource.Endpoints().FirstOrDefault(endpoint => endpoint.Port is not null) is { } fixedPort)
        {
            throw new DistributedApplicationException(
                $"Resource '{resource.Name}' has {resource.Replicas()} replicas, but endpoint '{fixedPort.Name}' has the fixed port {fixedPort.Port}: replicas cannot share it.");
        }
    }

    /// <summary>A WaitFor cycle as a path of names (first name repeated at the end), or null.</summary>
    private static List<string>? FindWaitCycle(IReadOnlyList<IResource> resources)
    {
        var done = new HashSet<IResource>();
        var path = new List<IResource>();

        List<string>? Visit(IResource resource)
        {
            var index = path.IndexOf(resource);
            if (index >= 0)
            {
                return [.. path.Skip(index).Append(resource).Select(item => item.Name)];
            }

            if (!done.Add(resource))
            {
                return null;
            }

            path.Add(resource);
            foreach (var wait in resource.AnnotationsOf<WaitAnnotation>())
            {
                if (Visit(wait.Target) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return resources.Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }
}
