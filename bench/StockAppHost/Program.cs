using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = DistributedApplication.CreateBuilder(args);

var recommendations = builder.AddProject<Projects.Bookstore_Recommendations>("recommendations")
    .AsHttp2Service()
    .WithHealthCheck("recommendations-h2c");

builder.AddProject<Projects.Bookstore_Marketplace>("marketplace")
    .WithReference(recommendations)
    .WaitFor(recommendations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// The one addition to stock Aspire: GET /health over HTTP/2 (Aspire's WithHttpHealthCheck speaks HTTP/1.1 only).
var endpoint = recommendations.GetEndpoint("http");
using var http2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
builder.Services.AddHealthChecks().AddAsyncCheck("recommendations-h2c", async cancellationToken =>
{
    try
    {
        using var response = await http2.GetAsync(new Uri(new Uri(endpoint.Url), "/health"), cancellationToken);
        return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy();
    }
    catch (HttpRequestException exception)
    {
        return HealthCheckResult.Unhealthy(exception.Message);
    }
});

builder.Build().Run();
