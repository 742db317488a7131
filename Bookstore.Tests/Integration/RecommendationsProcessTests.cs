using System.Net;
using Bookstore.Protos;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Bookstore.Tests.Integration;

/// <summary>The real Recommendations process on a loopback port, called the way any gRPC client would.</summary>
public sealed class RecommendationsProcessTests(RunningServices services) : IDisposable
{
    private readonly GrpcChannel _channel = Http2.CreateChannel(services.Recommendations.BaseAddress);

    private Protos.Recommendations.RecommendationsClient Client => Http2.RecommendationsClient(_channel);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Theory]
    [InlineData(BookCategory.Mystery)]
    [InlineData(BookCategory.ScienceFiction)]
    [InlineData(BookCategory.SelfHelp)]
    public async Task Every_category_gets_books(BookCategory category)
    {
        var response = await Client.RecommendAsync(new RecommendationRequest { UserId = 1, Category = category, MaxResults = 3 }, cancellationToken: Cancellation);

        Assert.Equal(3, response.Recommendations.Count);
        Assert.All(response.Recommendations, book => Assert.False(string.IsNullOrEmpty(book.Title)));
    }

    [Fact]
    public async Task Unknown_category_is_not_found() =>
        await AssertStatus(new RecommendationRequest { Category = (BookCategory)7, MaxResults = 3 }, StatusCode.NotFound, "Category not found");

    [Theory]
    [InlineData(1, -1, "max_results must be between 1 and 100 (0 means the default of 3), got -1.")]
    [InlineData(1, 101, "max_results must be between 1 and 100 (0 means the default of 3), got 101.")]
    [InlineData(-5, 3, "user_id must be 0 or more, got -5.")]
    public async Task Out_of_range_arguments_are_invalid(int userId, int maxResults, string message) =>
        await AssertStatus(new RecommendationRequest { UserId = userId, MaxResults = maxResults }, StatusCode.InvalidArgument, message);

    [Fact]
    public async Task The_seed_clients_bytes_get_the_seed_answer()
    {
        // The seed tutorial's request, framed by hand: user_id 1, category MYSTERY (default, not sent), max_results 3.
        using var http = Http2.CreateHttpClient(services.Recommendations.BaseAddress);
        using var request = Http2.GrpcRequest("/Recommendations/Recommend", new ByteArrayContent([0, 0, 0, 0, 4, 0x08, 0x01, 0x18, 0x03]));

        using var response = await http.SendAsync(request, Cancellation);
        var body = await response.Content.ReadAsByteArrayAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal(0, body[0]);
        var decoded = RecommendationResponse.Parser.ParseFrom(body.AsSpan(5).ToArray());
        Assert.Equal(3, decoded.Recommendations.Count);
    }

    [Fact]
    public async Task Grpc_health_is_serving_and_http_health_is_healthy_on_the_same_h2c_endpoint()
    {
        var health = await Http2.HealthClient(_channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var http = Http2.CreateHttpClient(services.Recommendations.BaseAddress);
        Assert.Equal("Healthy", await http.GetStringAsync("/health", Cancellation));
        Assert.Equal("Healthy", await http.GetStringAsync("/alive", Cancellation));
    }

    [Fact]
    public async Task Server_reflection_lists_the_service()
    {
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" }, Cancellation);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(Cancellation));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(service => service.Name).ToList();
        Assert.Contains("Recommendations", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    private async Task AssertStatus(RecommendationRequest request, StatusCode expected, string message)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => Client.RecommendAsync(request, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal(expected, exception.StatusCode);
        Assert.Equal(message, exception.Status.Detail);
    }
}
