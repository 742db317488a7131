using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.AppHost.Extensions;

public static class OtlpExtensions
{
    private static readonly string[] OtlpExporterVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    /// <summary>
    /// When no dashboard runs (Aspire.Hosting.Testing turns it off unless a test asks for it) and no other collector is
    /// configured, the services get no OTLP exporter settings.
    /// <para>
    /// Why: Aspire still points every project at the dashboard's OTLP address (the launch profile's
    /// <c>ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL</c>). Nothing listens there, so each service retried its exports all test
    /// long, its last export at shutdown waited for OpenTelemetry's 10 s timeout, and DCP killed it after 6 s; and when a
    /// developer's own copy of the app runs beside the tests, the tests' telemetry landed in that dashboard. Without the
    /// settings ServiceDefaults adds no exporter: traces, metrics and logs stay in the process.
    /// </para>
    /// </summary>
    public static IDistributedApplicationBuilder WithoutOtlpWhenNoDashboard(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((start, _) =>
        {
            var options = start.Services.GetRequiredService<DistributedApplicationOptions>();
            var configuredCollector = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
            if (!options.DisableDashboard || configuredCollector)
            {
                return Task.CompletedTask;
            }

            foreach (var resource in start.Model.Resources.OfType<IResourceWithEnvironment>().Where(resource => resource.HasAnnotationOfType<OtlpExporterAnnotation>()))
            {
                // Environment callbacks run in the order they were added: this one runs after Aspire's OTLP settings.
                resource.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    foreach (var variable in OtlpExporterVariables)
                    {
                        context.EnvironmentVariables.Remove(variable);
                    }
                }));
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
