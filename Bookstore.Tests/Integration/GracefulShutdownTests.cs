using System.Net;
using Bookstore.Protos;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;

namespace Bookstore.Tests.Integration;

/// <summary>SIGTERM to a real Recommendations process while a call is in flight.</summary>
public sealed class GracefulShutdownTests
{
    private static readonly byte[] SeedRequest = [0, 0, 0, 0, 4, 0x08, 0x01, 0x18, 0x03];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_reports_not_serving_refuses_new_calls_finishes_the_call_in_flight_and_exits_0()
    {
        await using var service = await ServiceProcess.StartRecommendationsAsync(new Dictionary<string, string>
        {
            ["Shutdown__PreStopDelay"] = "00:00:02",
        });
        var inFlight = new SlowCall(service.BaseAddress);
        await inFlight.Started.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);

        service.Signal(ServiceProcess.SigTerm);

        // During the pre-stop delay a new client is told NOT_SERVING, so load balancers move away.
        using (var channel = Http2.CreateChannel(service.BaseAddress))
        {
            var health = await Http2.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        }

        // Then the listener closes: new calls are refused.
        var refused = await EventuallyRefusedAsync(service.BaseAddress, TimeSpan.FromSeconds(10));
        Assert.Equal(StatusCode.Unavailable, refused);
        Assert.False(service.HasExited, "The process exited while a call was still in flight.");

        // The call that was in flight all along completes normally.
        inFlight.SendRestOfBody();
        var (status, grpcStatus, books) = await inFlight.Completion.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("0", grpcStatus);
        Assert.Equal(3, books);

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_call_that_outlives_the_drain_timeout_is_cut_and_the_process_still_exits_0()
    {
        await using var service = await ServiceProcess.StartRecommendationsAsync(new Dictionary<string, string>
        {
            ["Shutdown__DrainTimeout"] = "00:00:01",
        });
        var inFlight = new SlowCall(service.BaseAddress);
        await inFlight.Started.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        var signalled = DateTime.UtcNow;

        service.Signal(ServiceProcess.SigTerm);

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.InRange(DateTime.UtcNow - signalled, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(() => inFlight.Completion);
    }

    private static async Task<StatusCode> EventuallyRefusedAsync(Uri address, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var channel = Http2.CreateChannel(address);
            try
            {
                await Http2.RecommendationsClient(channel).RecommendAsync(new RecommendationRequest { MaxResults = 1 }, cancellationToken: Cancellation);
            }
            catch (RpcException exception)
            {
                return exception.StatusCode;
            }

            Assert.True(DateTime.UtcNow < deadline, $"New calls were still accepted {timeout} after SIGTERM.");
            await Task.Delay(100, Cancellation);
        }
    }

    /// <summary>
    /// A unary call whose request body is held back after the frame header: the server has the call and waits
    /// for the message, so the call is in flight for as long as the test likes, with no test hook in the service.
    /// </summary>
    private sealed class SlowCall
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlowCall(Uri address) => Completion = RunAsync(address);

        public Task Started => _started.Task;

        public Task<(HttpStatusCode Status, string? GrpcStatus, int Books)> Completion { get; }

        public void SendRestOfBody() => _release.TrySetResult();

        private async Task<(HttpStatusCode, string?, int)> RunAsync(Uri address)
        {
            using var http = Http2.CreateHttpClient(address);
            using var request = Http2.GrpcRequest("/Recommendations/Recommend", new HeldBackContent(SeedRequest, _started, _release.Task));

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            response.TrailingHeaders.TryGetValues("grpc-status", out var grpcStatus);
            var books = body.Length > 5 ? RecommendationResponse.Parser.ParseFrom(body.AsSpan(5).ToArray()).Recommendations.Count : 0;
            return (response.StatusCode, grpcStatus?.Single(), books);
        }
    }

    private sealed class HeldBackContent(byte[] message, TaskCompletionSource started, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(message.AsMemory(0, 5));
            await stream.FlushAsync();
            // Give the server time to dispatch the call before the test goes on.
            await Task.Delay(300);
            started.TrySetResult();
            await release;
            await stream.WriteAsync(message.AsMemory(5));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = message.Length;
            return true;
        }
    }
}
