namespace Bookstore.Hosting.ApplicationModel;

/// <summary>Transports of an endpoint: HTTP/1.1 and HTTP/2 negotiated, or HTTP/2 only (h2c without TLS, as gRPC needs).</summary>
public static class EndpointTransport
{
    public const string Http = "http";
    public const string Http2 = "http2";
}

/// <summary>A port the resource listens on. <see cref="Port"/> null: the orchestrator picks a free one per replica.</summary>
public sealed class EndpointAnnotation(string name, string scheme, int? port = null) : IResourceAnnotation
{
    public string Name { get; } = name;

    public string Scheme { get; } = scheme;

    public int? Port { get; set; } = port;

    public string Transport { get; set; } = EndpointTransport.Http;

    /// <summary>Reachable from outside the app (a browser, a load balancer), not only by other resources.</summary>
    public bool IsExternal { get; set; }
}

/// <summary>Environment variables, computed when a replica starts.</summary>
public sealed class EnvironmentAnnotation(Action<EnvironmentContext> callback) : IResourceAnnotation
{
    public Action<EnvironmentContext> Callback { get; } = callback;
}

/// <summary>What an environment callback sees: the variables so far, and the replica they are for.</summary>
public sealed class EnvironmentContext(IResource resource, int replica, IDictionary<string, string> variables)
{
    public IResource Resource { get; } = resource;

    public int Replica { get; } = replica;

    public IDictionary<string, string> EnvironmentVariables { get; } = variables;
}

/// <summary>The resource is told where <see cref="Target"/> is (<c>services__{name}__{endpoint}__{i}</c>).</summary>
public sealed class ResourceReferenceAnnotation(IResource target) : IResourceAnnotation
{
    public IResource Target { get; } = target;
}

/// <summary>The resource starts only once <see cref="Target"/> is healthy.</summary>
public sealed class WaitAnnotation(IResource target) : IResourceAnnotation
{
    public IResource Target { get; } = target;
}

public sealed class ReplicaAnnotation(int count) : IResourceAnnotation
{
    public int Count { get; } = count;
}

/// <summary>The resource is healthy when GET <see cref="Path"/> on <see cref="EndpointName"/> answers 2xx.</summary>
public sealed class HealthCheckAnnotation(string path, string endpointName) : IResourceAnnotation
{
    public string Path { get; } = path;

    public string EndpointName { get; } = endpointName;
}
