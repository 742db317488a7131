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
}
