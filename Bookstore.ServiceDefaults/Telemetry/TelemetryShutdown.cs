using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Bookstore.ServiceDefaults.Telemetry;

/// <summary>
/// Flushes traces, metrics and logs once the host has stopped, giving the exporters at most
/// <c>Telemetry:ShutdownTimeout</c> (default 1 s), instead of OpenTelemetry's own shutdown on dispose, which waits for the
/// OTLP export timeout (10 s) when the collector does not answer. That is what happens under Aspire: when the AppHost
/// stops, DCP stops the dashboard (the collector) and the services at the same moment, so every service waited 10 s to
/// export into a closed port, and DCP killed it after 6 s. A collector that answers gets everything, as before.
/// </summary>
internal sealed class TelemetryShutdown(IServiceProvider services, IConfiguration configuration) : IHostedLifecycleService
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        var timeout = configuration.GetValue("Telemetry:ShutdownTimeout", DefaultTimeout);
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        // Each provider's shutdown blocks until its exporter is done or the time is up: the three run side by side.
        Action?[] shutdowns =
        [
            services.GetService<TracerProvider>() is { } tracer ? () => tracer.Shutdown(milliseconds) : null,
            services.GetService<MeterProvider>() is { } meter ? () => meter.Shutdown(milliseconds) : null,
            services.GetService<LoggerProvider>() is { } logger ? () => logger.Shutdown(milliseconds) : null,
        ];
        return Task.WhenAll(shutdowns.OfType<Action>().Select(Task.Run));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
