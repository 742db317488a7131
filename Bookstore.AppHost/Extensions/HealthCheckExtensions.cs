using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.AppHost.Extensions;

public static class HealthCheckExtensions
{
    /// <summary>
    /// An HTTP health check that speaks the endpoint's own transport: HTTP/2 with prior knowledge for an h2c endpoint
    /// (<c>AsHttp2Service()</c>), HTTP/1.1 otherwise. Aspire's <c>WithHttpHealthCheck</c> always sends HTTP/1.1, which an
    /// HTTP/2-only Kestrel endpoint (the only kind that serves gRPC without TLS) never answers, so the resource never turns
    /// healthy and every <c>WaitFor</c> on it waits forever without a word. Each replica is asked on its own port (see
    /// <see cref="EndpointHealthCheck"/>); the resource is healthy when every replica is.
    /// </summary>
    /// <remarks>Over TLS (an "https" endpoint) the check trusts the app's own CA (<paramref name="security"/>), nothing else.</remarks>
    public static IResourceBuilder<T> WithTransportHealthCheck<T>(
        this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http", TransportSecurity? security = null)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}_{endpointName}_{path}_transport_check";
        var client = new Lazy<HttpClient>(() => EndpointHealthCheck.CreateClient(
            security is { Mode: not TransportSecurityMode.Plain } ? security.Certificates.CaCertificatePath : null));
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, services => new EndpointHealthCheck(endpoint, path, services.GetRequiredService<ResourceNotificationService>(), client.Value), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}

/// <summary>
/// GET <c>path</c> on each replica's own URL, over the endpoint's transport; healthy when every replica answers 200.
/// <para>
/// Each replica is asked directly, not through DCP's proxy: the proxy accepts a connection before any replica listens
/// and retries its own connection with growing pauses, and it asks one replica chosen at random. While a replica refuses
/// connections (it is still starting) the check tries again every 20 ms, for up to <see cref="StartupWindow"/>, before
/// it says unhealthy: Aspire checks a resource as soon as it runs and, after an unhealthy answer, again only 1 s later
/// (then 2, 3, 4, 5 s), so a service that listens 400 ms after its start would turn healthy, and release what waits for
/// it, most of a second later than it could.
/// </para>
/// <para>
/// The window is long because a start can be: Recommendations listens 1.6-2.2 s after its start on a quiet machine and
/// took 3.0-4.5 s on a loaded one (five of six starts measured, 2026-12-02), where a 3 s window said unhealthy and the
/// service's health, and the Marketplace behind it, waited another second or more for Aspire's next check. Aspire stops
/// the check when the resource stops running, so the window only bounds a process that runs and never listens.
/// </para>
/// </summary>
internal sealed class EndpointHealthCheck(EndpointReference endpoint, string path, ResourceNotificationService notifications, HttpClient client) : IHealthCheck
{
    public static readonly TimeSpan StartupWindow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// One client per resource for every check: a pooled connection is reused while the service lives, and a new one
    /// is made after it restarts. Short timeouts: a check that cannot connect says so at once and the next one comes
    /// soon. With <paramref name="authorityPath"/>, a server certificate must chain to that CA (and match the name).
    /// </summary>
    public static HttpClient CreateClient(string? authorityPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
        };
        if (authorityPath is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(authorityPath));
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> replicas;
        using (var started = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            started.CancelAfter(StartupWindow);
            try
            {
                replicas = await ReplicaDiscoveryExtensions.ReplicaUrlsAsync(notifications, endpoint.Resource, endpoint.EndpointAnnotation.UriScheme, started.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"Not every replica of {endpoint.Resource.Name} has been started yet.");
            }
        }

        var version = endpoint.EndpointAnnotation.Transport == "http2" ? HttpVersion.Version20 : HttpVersion.Version11;
        var results = await Task.WhenAll(replicas.Select(replica => ProbeAsync(client, new Uri(new Uri(replica), path), version, cancellationToken)));
        // HealthCheckResult is a struct whose default is Unhealthy, so FirstOrDefault cannot tell "none" from "one".
        var unhealthy = Array.FindIndex(results, result => result.Status != HealthStatus.Healthy);
        return unhealthy < 0 ? HealthCheckResult.Healthy() : results[unhealthy];
    }

    /// <summary>One replica: healthy on 200; connection refused is asked again every 20 ms within <see cref="StartupWindow"/>.</summary>
    internal static async Task<HealthCheckResult> ProbeAsync(HttpClient client, Uri uri, Version version, CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + StartupWindow;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                return response.StatusCode == HttpStatusCode.OK
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{uri} answered {(int)response.StatusCode}.");
            }
            catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(RetryInterval, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                return HealthCheckResult.Unhealthy($"{uri} did not answer over HTTP/{version}: {exception.Message}", exception);
            }
        }
    }
}
