using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bookstore.Recommendations.Interceptors;

/// <summary>One structured log line and one set of metric points per call: method, status code, duration.</summary>
public sealed partial class CallTelemetryInterceptor(ILogger<CallTelemetryInterceptor> logger, RpcServerMetrics metrics) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        Observe(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Observe(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Observe(context, () => continuation(request, responseStream, context));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Observe(context, () => continuation(requestStream, responseStream, context));

    private async Task Observe(ServerCallContext context, Func<Task> call) =>
        await Observe(context, async () => { await call(); return true; });

    private async Task<T> Observe<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            var result = await call();
            status = context.Status.StatusCode;
            return result;
        }
        catch (RpcException exception)
        {
            status = exception.StatusCode;
            throw;
        }
        finally
        {
            Complete(context.Method, status, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Complete(string fullMethod, StatusCode status, TimeSpan duration)
    {
        // fullMethod is "/Service/Method"; Service keeps its package, if it has one.
        var separator = fullMethod.LastIndexOf('/');
        metrics.Record(fullMethod[1..separator], fullMethod[(separator + 1)..], status, duration);

        var level = IsServerFault(status) ? LogLevel.Warning : LogLevel.Information;
        LogCall(level, fullMethod, status, duration.TotalMilliseconds);
    }

    private static bool IsServerFault(StatusCode status) =>
        status is StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss or StatusCode.Unavailable or StatusCode.Unimplemented;

    [LoggerMessage(EventId = 2, Message = "gRPC {RpcMethod} finished with {GrpcStatusCode} in {ElapsedMilliseconds:0.000} ms")]
    private partial void LogCall(LogLevel level, string rpcMethod, StatusCode grpcStatusCode, double elapsedMilliseconds);
}
