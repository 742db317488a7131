using Grpc.AspNetCore.Server;

namespace Bookstore.Recommendations.Interceptors;

public static class InterceptorRegistration
{
    public static IServiceCollection AddGrpcCallInterceptors(this IServiceCollection services) =>
        services.AddSingleton<RpcServerMetrics>();

    /// <summary>
    /// Registers the interceptors once for every method of every service. The first one added is the outermost:
    /// telemetry sees the status the exception interceptor has already mapped.
    /// </summary>
    public static GrpcServiceOptions AddCallInterceptors(this GrpcServiceOptions options)
    {
        options.Interceptors.Add<CallTelemetryInterceptor>();
        options.Interceptors.Add<ExceptionInterceptor>();
        return options;
    }
}
