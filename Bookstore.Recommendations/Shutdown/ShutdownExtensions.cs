namespace Bookstore.Recommendations.Shutdown;

public static class ShutdownExtensions
{
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ShutdownOptions.SectionName);
        var settings = section.Get<ShutdownOptions>() ?? new ShutdownOptions();
        if (settings.PreStopDelay < TimeSpan.Zero || settings.DrainTimeout < TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{ShutdownOptions.SectionName}:PreStopDelay and :DrainTimeout must not be negative (got {settings.PreStopDelay} and {settings.DrainTimeout}).");
        }

        builder.Services.Configure<ShutdownOptions>(section);
        // The host gives all of its stopping (pre-stop delay, then Kestrel's drain) this much time.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.PreStopDelay + settings.DrainTimeout);
        builder.Services.AddSingleton<ShutdownGate>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ShutdownGate>());
        builder.Services.AddHealthChecks().AddCheck<ShutdownGate>("shutdown");
        return builder;
    }
}
