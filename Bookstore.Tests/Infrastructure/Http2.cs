using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Bookstore.Tests.Infrastructure;

/// <summary>Clients for an h2c (HTTP/2 without TLS) endpoint.</summary>
public static class Http2
{
    public static HttpClient CreateHttpClient(Uri baseAddress) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A raw gRPC request, framed by the caller, as a client without generated stubs sends it.</summary>
    public static HttpRequestMessage GrpcRequest(string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        return request;
    }

    /// <summary>A channel of its own: a new connection, as a new client would open.</summary>
    public static GrpcChannel CreateChannel(Uri address) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() });

    public static Protos.Recommendations.RecommendationsClient RecommendationsClient(GrpcChannel channel) => new(channel);

    public static Health.HealthClient HealthClient(GrpcChannel channel) => new(channel);

    /// <summary>A gRPC response header: from the trailers, or from the headers of a trailers-only response; null if absent.</summary>
    public static string? GrpcHeader(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.SingleOrDefault() : null;

    /// <summary>Recommendations still answers normal calls on a new connection: health SERVING, three mystery books.</summary>
    public static async Task AssertRecommendationsServeAsync(Uri address, CancellationToken cancellationToken)
    {
        using var channel = CreateChannel(address);
        var health = await HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken);
        Xunit.Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var books = await RecommendationsClient(channel).RecommendAsync(
            new Protos.RecommendationRequest { UserId = 1, MaxResults = 3, Category = Protos.BookCategory.Mystery }, cancellationToken: cancellationToken);
        Xunit.Assert.Equal(3, books.Recommendations.Count);
    }
}
