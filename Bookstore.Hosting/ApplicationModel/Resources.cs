namespace Bookstore.Hosting.ApplicationModel;

/// <summary>Marks data that hangs on a resource; the orchestrator and publishers read it.</summary>
public interface IResourceAnnotation;

/// <summary>A thing the app is made of: a name and its annotations. Resources are data; behaviour hangs on them.</summary>
public interface IResource
{
    string Name { get; }

    IList<IResourceAnnotation> Annotations { get; }
}

/// <summary>A .NET project run from its build output.</summary>
public sealed class ProjectResource(string name, string projectPath, string configuration) : IResource
{
    public string Name { get; } = name;

    public IList<IResourceAnnotation> Annotations { get; } = [];

    public string ProjectPath { get; } = projectPath;

    public string Configuration { get; } = configuration;

    public string ProjectDirectory => Path.GetDirectoryName(ProjectPath)!;

    /// <summary>The assembly the SDK builds: <c>bin/{Configuration}/net10.0/{ProjectName}.dll</c>.</summary>
    public string AssemblyPath =>
        Path.Combine(ProjectDirectory, "bin", Configuration, "net10.0", Path.GetFileNameWithoutExtension(ProjectPath) + ".dll");
}

public static class ResourceExtensions
{
    public static IEnumerable<T> AnnotationsOf<T>(this IResource resource) where T : IResourceAnnotation =>
        resource.Annotations.OfType<T>();

    public static int Replicas(this IResource resource) =>
        resource.AnnotationsOf<ReplicaAnnotation>().LastOrDefault()?.Count ?? 1;

    public static IReadOnlyList<EndpointAnnotation> Endpoints(this IResource resource) =>
        [.. resource.AnnotationsOf<EndpointAnnotation>()];

    /// <summary>What the resource needs running first (WaitFor) or talks to (WithReference).</summary>
    public static IEnumerable<IResource> Dependencies(this IResource resource) =>
        resource.AnnotationsOf<WaitAnnotation>().Select(wait => wait.Target)
            .Concat(resource.AnnotationsOf<ResourceReferenceAnnotation>().Select(reference => reference.Target))
            .Distinct();
}
