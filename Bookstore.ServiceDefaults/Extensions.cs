using Bookstore.ServiceDefaults.Logging;
using Bookstore.ServiceDefaults.ServiceDiscovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.ServiceDiscovery;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every Bookstore service starts from, as Aspire's ServiceDefaults project does:
/// OpenTelemetry, health checks, service discovery and standard resilience for outgoing HTTP (and gRPC) calls.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    /// <summary>Meter names that services register so that their own instruments are exported too.</summary>
    public const string MeterNamePrefix = "Bookstore.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.UseBatchingConsoleLogger();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        // Kestrel's limits and options from configuration ("Kestrel" in each service's appsettings.json). ASP.NET Core
        // reads only endpoints and certificates from that section unless told to bind the rest.
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));

        builder.Services.AddServiceDiscovery();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReplicaCooldowns>();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Resilience outside, discovery inside: every retry picks a replica again, and not one that just
            // refused a connection.
            // IHttpClientFactory's log handlers write at Information, which every service's settings turn off; they
            // would still open a log scope per request. Traces and metrics record every call instead.
            http.RemoveAllLoggers();
            http.AddStandardResilienceHandler();
            http.AddHttpMessageHandler(services => new ReplicaFailoverHandler(
                services.GetRequiredService<ServiceEndpointResolver>(), services.GetRequiredService<ReplicaCooldowns>()));
        });

        return builder;
    }

    /// <summary>
    /// Swaps the framework's console logger for <see cref="BatchingConsoleLoggerProvider"/> (same formatters, options and
    /// filters; one write per batch instead of a lock and a write per line). Does nothing if the console logger was removed.
    /// </summary>
    public static TBuilder UseBatchingConsoleLogger<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var console = builder.Services.FirstOrDefault(service =>
            service.ServiceType == typeof(ILoggerProvider) && service.ImplementationType == typeof(ConsoleLoggerProvider));
        if (console is not null)
        {
            builder.Services.Remove(console);
            builder.Services.AddSingleton<ILoggerProvider, BatchingConsoleLoggerProvider>();
        }

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterNamePrefix + "*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the traces a person looks for.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                        && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health"))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        // The OTLP exporter is on only when an endpoint is configured (the AppHost sets it).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check: ready to take traffic) and <c>/alive</c> (checks tagged "live": the process works).
    /// They are mapped in every environment, Production included, because Kubernetes probes and the
    /// orchestrator need them there; they reveal only Healthy/Degraded/Unhealthy, never check details. CONNECT gets 405.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // CONNECT asks a proxy for a tunnel, and neither service is one. Kestrel hands it to the app, and an endpoint that
        // answers it with 2xx and a body (the health checks, the Marketplace's /error page) makes Kestrel throw ("Setting
        // the header Content-Length is not allowed on responses with status code 200"): a 500. Found by the fuzz tests.
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsConnect(context.Request.Method))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        });
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }
}
