using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Bookstore.Recommendations.Shutdown;

/// <summary>
/// Turns health (HTTP /health and grpc.health.v1) to unhealthy / NOT_SERVING as soon as the host starts stopping,
/// then waits out the pre-stop delay before Kestrel closes its listener and drains in-flight calls.
/// </summary>
public sealed partial class ShutdownGate(IOptions<ShutdownOptions> options, ILogger<ShutdownGate> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _stopping;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stopping ? HealthCheckResult.Unhealthy("Shutting down.") : HealthCheckResult.Healthy());

    // Runs before any hosted service (Kestrel included) is stopped.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var settings = options.Value;
        LogStopping(settings.PreStopDelay, settings.DrainTimeout);
        if (settings.PreStopDelay > TimeSpan.Zero)
        {
            await Task.Delay(settings.PreStopDelay, cancellationToken);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "Shutting down: health is NOT_SERVING; new calls accepted for {PreStopDelay}, then in-flight calls get up to {DrainTimeout} to finish")]
    private partial void LogStopping(TimeSpan preStopDelay, TimeSpan drainTimeout);
}
