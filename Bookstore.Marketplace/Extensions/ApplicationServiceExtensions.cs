using Bookstore.Marketplace.Books;
using Bookstore.Marketplace.Recommending;
using Bookstore.Marketplace.Security;
using Bookstore.ServiceDefaults.TransportSecurity;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Bookstore.Marketplace.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecommendationsOptions>()
            .Bind(builder.Configuration.GetSection(RecommendationsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // One client registration, one long-lived channel per target, shared by every page.
        // Service discovery and the standard resilience handler come with ServiceDefaults.
        // The logical address (http://recommendations, or https:// under TLS): service discovery resolves it from
        // configuration (services__recommendations__http(s)__N, set by the AppHost or the deployment), no host or port of
        // our own.
        var transport = RecommendationsTransport.Options(builder.Configuration);
        // The first handshake reads it otherwise (TransportSecurity/MachineTrustStore.cs).
        MachineTrustStore.LoadInBackground(transport.Mode);

        builder.Services.AddGrpcClient<Protos.Recommendations.RecommendationsClient>(options => options.Address = RecommendationsTransport.Address(transport))
            // With a bare SocketsHttpHandler, grpc-dotnet would take connections over with its own subchannels and
            // resolve "recommendations" by DNS; HttpClientHandler leaves the replica choice to the HTTP pipeline.
            .ConfigurePrimaryHttpMessageHandler(() => RecommendationsTransport.Handler(transport));
        // The standard handler retries with seconds of back-off. Every outgoing call of the Marketplace feeds a page
        // that has a fallback, so all of them fail over fast instead. "Recommendations:Resilience", in the shape of
        // HttpStandardResilienceOptions (e.g. Recommendations__Resilience__AttemptTimeout__Timeout=00:00:05), overrides
        // these defaults where calls are slower by nature (slow storage under RateBook); the library validates the result
        // at start (e.g. a circuit breaker's sampling duration must be at least twice the attempt timeout).
        var resilience = builder.Configuration.GetSection(RecommendationsOptions.ResilienceSectionName);
        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(options =>
        {
            ConfigureFastFailover(options);
            resilience.Bind(options);
        });

        builder.Services.AddSingleton<RecommendationsMetrics>();
        // A singleton holds one client, so one long-lived channel serves every page (grpc-dotnet's advice); the
        // replica is still chosen per call by service discovery in the HTTP pipeline.
        builder.Services.AddSingleton<BookRecommender>();
        // One call while the Marketplace starts: the first page finds the connection open (Recommending/ChannelWarmUp.cs).
        builder.Services.AddHostedService<ChannelWarmUp>();

        // Book pages: book data through HybridCache (in memory here), the rating form with an antiforgery token.
        builder.Services.AddOptions<BookCacheOptions>().Bind(builder.Configuration.GetSection(BookCacheOptions.SectionName));
        builder.Services.AddHybridCache();
        builder.Services.AddSingleton<BookCacheMetrics>();
        builder.Services.AddSingleton<BookClient>();
        builder.Services.AddAntiforgery();
        // Its key ring: shared by every replica where the deployment mounts one (Security/SharedKeyRingExtensions.cs).
        builder.Services.AddSharedKeyRing(builder.Configuration);

        // The JSON API: problem details for every error, and its OpenAPI document.
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        // What protects every entry point: security headers, a rate limit per client address, small bodies.
        builder.Services.AddSecurityHeaders();
        builder.Services.AddClientRateLimiting(builder.Configuration);
        builder.Services.AddRequestLimits();
        return builder;
    }

    private static void ConfigureFastFailover(HttpStandardResilienceOptions options)
    {
        // A retry goes through service discovery again, so it reaches the next replica when one is gone.
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.BackoffType = DelayBackoffType.Constant;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(1);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(3);
        // Attempts are counted, not requests: with one of three replicas gone a third of first attempts fail and
        // their retries succeed. Break only when most attempts fail, i.e. when every replica is gone.
        options.CircuitBreaker.FailureRatio = 0.5;
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(2);
    }
}
