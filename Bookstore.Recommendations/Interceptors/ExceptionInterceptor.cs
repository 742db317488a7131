using System.Data.Common;
using Bookstore.Recommendations.Recommending;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bookstore.Recommendations.Interceptors;

/// <summary>
/// Maps exceptions to gRPC statuses: a <see cref="DomainException"/> to its own status and message, a transient database
/// error to UNAVAILABLE, anything
/// unexpected to INTERNAL with a generic message (the details go to one error log line, never to the client).
/// </summary>
public sealed partial class ExceptionInterceptor(ILogger<ExceptionInterceptor> logger) : Interceptor
{
    public const string InternalErrorMessage = "An internal error occurred. It has been logged; please try again later.";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        Guard(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guard(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guard(context, () => continuation(request, responseStream, context));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guard(context, () => continuation(requestStream, responseStream, context));

    private async Task Guard(ServerCallContext context, Func<Task> call) =>
        await Guard(context, async () => { await call(); return true; });

    private async Task<T> Guard<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            throw Map(exception, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case DomainException domain:
                return new RpcException(new Status(domain.StatusCode, domain.Message));
            case DbException { IsTransient: true }:
                // The database is down or busy for a moment: the client may retry (every write here is idempotent).
                LogUnavailable(exception, context.Method);
                return new RpcException(new Status(StatusCode.Unavailable, "The catalog database is unavailable right now. Please try again in a moment."));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            default:
                LogUnexpected(exception, context.Method);
                return new RpcException(new Status(StatusCode.Internal, InternalErrorMessage));
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The catalog database was unavailable in gRPC method {RpcMethod}")]
    private partial void LogUnavailable(Exception exception, string rpcMethod);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unexpected exception in gRPC method {RpcMethod}")]
    private partial void LogUnexpected(Exception exception, string rpcMethod);
}
