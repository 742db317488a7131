using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.AppHost.Extensions;

public static class ReplicaDiscoveryExtensions
{
    /// <summary>
    /// Service discovery of <paramref name="source"/> by the address of each of its replicas: the resource's
    /// <c>services__{source}__{endpoint}__{i}</c> entries, which Aspire points at DCP's proxy, are replaced by one entry
    /// per replica with the port that replica listens on.
    /// <para>
    /// Why: DCP's proxy balances TCP connections, one replica picked at random per connection, and a gRPC client sends
    /// every call over one long-lived HTTP/2 connection, so with <c>WithReplicas(3)</c> every call went to one replica
    /// (microsoft/aspire#6640). With every replica's own address the client spreads calls itself, round robin per call,
    /// skipping a replica that refused a connection (ServiceDefaults' <c>ReplicaFailoverHandler</c>): the same mechanism
    /// that spreads calls over a Kubernetes headless Service's pods or a scaled Compose service's containers, whose DNS
    /// name answers with every replica. It also makes a stopped replica fail fast: DCP's proxy accepts a connection even
    /// when no replica runs and holds it until one does, so every call waited for its deadline; a replica's own port
    /// refuses at once and the page shows its fallback.
    /// </para>
    /// <para>
    /// A replica keeps its port when Aspire's Stop and Start commands restart it (DCP reuses the allocation), so the
    /// addresses stay valid. Nothing changes in publish mode: deployments resolve the Service's DNS name instead.
    /// </para>
    /// </summary>
    public static IResourceBuilder<T> WithReplicaAddresses<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProjectResource> source, string endpointName = "http")
        where T : IResourceWithEnvironment
    {
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var scheme = source.GetEndpoint(endpointName).EndpointAnnotation.UriScheme;
        return builder.WithEnvironment(async context =>
        {
            var prefix = $"services__{source.Resource.Name}__{endpointName}__";
            foreach (var key in context.EnvironmentVariables.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                context.EnvironmentVariables.Remove(key);
            }

            var notifications = context.ExecutionContext.Services.GetRequiredService<ResourceNotificationService>();
            var replicas = await ReplicaUrlsAsync(notifications, source.Resource, scheme, context.CancellationToken);
            for (var i = 0; i < replicas.Count; i++)
            {
                context.EnvironmentVariables[prefix + i] = replicas[i];
            }
        });
    }

    /// <summary>
    /// The URL each replica of <paramref name="resource"/> listens on, read from the environment DCP gave it
    /// (<c>ASPNETCORE_URLS</c>, with the port DCP allocated), once every replica has been started.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> ReplicaUrlsAsync(ResourceNotificationService notifications, IResource resource, string scheme, CancellationToken cancellationToken)
    {
        var replicas = resource.GetReplicaCount();
        var urls = new Dictionary<string, string>();
        // WatchAsync first replays every resource's current state, then follows the changes.
        await foreach (var change in notifications.WatchAsync(cancellationToken))
        {
            if (change.Resource == resource && OwnUrl(change.Snapshot, scheme) is { } url)
            {
                urls[change.ResourceId] = url;
                if (urls.Count == replicas)
                {
                    break;
                }
            }
        }

        return [.. urls.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value)];
    }

    private static string? OwnUrl(CustomResourceSnapshot snapshot, string scheme) =>
        snapshot.EnvironmentVariables.FirstOrDefault(variable => variable.Name == "ASPNETCORE_URLS")?.Value?
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // Until DCP has started the process, the value is still its template ("{{- portForServing ... -}}").
            .FirstOrDefault(url => url.StartsWith(scheme + "://", StringComparison.Ordinal) && !url.Contains("{{", StringComparison.Ordinal));
}
