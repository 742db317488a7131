using Bookstore.Recommendations.Interceptors;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bookstore.Tests.Interceptors;

public sealed class InterceptorTests : IAsyncLifetime
{
    private const string EchoMethod = "/bookstore.tests.Probe/Echo";
    private ProbeServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await ProbeServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_successful_call_passes_through_and_is_logged_and_counted()
    {
        var reply = await _server.Client.EchoAsync(new ProbeRequest { Text = "hello" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("hello", reply.Text);
        var line = Assert.Single(CallLogLines());
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("finished with OK", line.Message, StringComparison.Ordinal);

        var call = Assert.Single(_server.Metrics.Of(RpcServerMetrics.CallsName));
        Assert.Equal("grpc", call.Tags["rpc.system"]);
        Assert.Equal("bookstore.tests.Probe", call.Tags["rpc.service"]);
        Assert.Equal("Echo", call.Tags["rpc.method"]);
        Assert.Equal((int)StatusCode.OK, call.Tags["rpc.grpc.status_code"]);
        Assert.Empty(_server.Metrics.Of(RpcServerMetrics.ErrorsName));
        var duration = Assert.Single(_server.Metrics.Of(RpcServerMetrics.DurationName));
        Assert.InRange(duration.Value, 0, 5);
    }

    [Theory]
    [InlineData(Outcome.ThrowNotFound, StatusCode.NotFound, "Category not found")]
    [InlineData(Outcome.ThrowInvalidRequest, StatusCode.InvalidArgument, "text must not be empty.")]
    [InlineData(Outcome.ThrowRpcException, StatusCode.PermissionDenied, "not yours")]
    public async Task Domain_and_rpc_exceptions_keep_their_status_and_message(Outcome outcome, StatusCode expected, string message)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.EchoAsync(new ProbeRequest { Outcome = outcome }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(expected, exception.StatusCode);
        Assert.Equal(message, exception.Status.Detail);
        Assert.DoesNotContain(_server.Logs.Entries, entry => entry.Level >= LogLevel.Error);
        Assert.Contains($"finished with {expected}", Assert.Single(CallLogLines()).Message, StringComparison.Ordinal);
        var error = Assert.Single(_server.Metrics.Of(RpcServerMetrics.ErrorsName));
        Assert.Equal((int)expected, error.Tags["rpc.grpc.status_code"]);
        Assert.Single(_server.Metrics.Of(RpcServerMetrics.CallsName));
    }

    [Fact]
    public async Task An_unexpected_exception_becomes_internal_without_details_and_is_logged_once()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Client.EchoAsync(new ProbeRequest { Outcome = Outcome.ThrowUnexpected }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
        Assert.Equal(ExceptionInterceptor.InternalErrorMessage, exception.Status.Detail);
        Assert.DoesNotContain(ProbeService.SecretDetail, exception.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(exception.Trailers, trailer => trailer.Value.Contains("hunter2", StringComparison.Ordinal));

        var error = Assert.Single(_server.Logs.Entries, entry => entry.Level >= LogLevel.Error);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.Contains(EchoMethod, error.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, Assert.Single(CallLogLines()).Level);
        Assert.Equal((int)StatusCode.Internal, Assert.Single(_server.Metrics.Of(RpcServerMetrics.ErrorsName)).Tags["rpc.grpc.status_code"]);
    }

    [Fact]
    public async Task The_server_keeps_serving_after_failures()
    {
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() =>
                _server.Client.EchoAsync(new ProbeRequest { Outcome = Outcome.ThrowUnexpected }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        }

        var reply = await _server.Client.EchoAsync(new ProbeRequest { Text = "still here" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("still here", reply.Text);
        Assert.Equal(6, _server.Metrics.Of(RpcServerMetrics.CallsName).Count);
        Assert.Equal(5, _server.Metrics.Of(RpcServerMetrics.ErrorsName).Count);
    }

    private List<Infrastructure.LogEntry> CallLogLines() =>
        [.. _server.Logs.Entries.Where(entry => entry.Category == typeof(CallTelemetryInterceptor).FullName && entry.Message.Contains(EchoMethod, StringComparison.Ordinal))];
}
